import { localCause } from './local-cause';
import '../workflows/promise-with-resolvers';
import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { executionFailure } from '../workflows/execution-failure';
import type { ExecutionScope } from '../workflows/execution-scope';
import { type LocalServices, localTaskHandlers } from '../workflows/task-handlers';

export interface LocalStateMachine {
  readonly arn: string;
  readonly definition: StateMachineDefinition;
}

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
}

/** A Step Functions API error: `type` is what the SDK sees as the error name (`__type`). */
export class StepFunctionsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export interface LocalStepFunctionsOptions {
  readonly services: LocalServices;
  log(message: string): void;
  /** Called once an execution ends, like the EventBridge "Execution Status Change" event the cloud emits. */
  onExecutionClosed?(execution: ExecutionRecord): Promise<void>;
}

interface Running {
  readonly record: ExecutionRecord;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: Step Functions refuses control characters in names; so do we.
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u;

/** StartExecution / DescribeExecution / StopExecution over the ASL files, executed in this process. */
export class LocalStepFunctions {
  private readonly machines = new Map<string, LocalStateMachine>();
  private readonly executions = new Map<string, Running>();

  constructor(
    machines: readonly LocalStateMachine[],
    private readonly options: LocalStepFunctionsOptions,
  ) {
    for (const machine of machines) this.machines.set(machine.arn, machine);
  }

  /** Same name and input as a known execution → that execution (idempotent); same name, other input → ExecutionAlreadyExists. */
  startExecution(request: { stateMachineArn?: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: Date;
  } {
    const machine = this.machines.get(request.stateMachineArn ?? '');
    if (!machine)
      throw new StepFunctionsError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${request.stateMachineArn}'`,
      );
    const name = request.name ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new StepFunctionsError('InvalidExecutionInput', 'Invalid State Machine Execution Input');
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.record.status === 'RUNNING' && existing.record.input === input) {
        return { executionArn, startDate: existing.record.startDate };
      }
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      input,
      startDate: new Date(),
      status: 'RUNNING',
    };
    const abort = new AbortController();
    const running: Running = { record, abort, done: this.run(machine, record, parsedInput, abort.signal) };
    this.executions.set(executionArn, running);
    return { executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: string | undefined): ExecutionRecord {
    const running = this.executions.get(executionArn ?? '');
    if (!running) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return running.record;
  }

  stopExecution(executionArn: string | undefined, error?: string, cause?: string): { stopDate: Date } {
    const running = this.executions.get(executionArn ?? '');
    if (!running) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    if (running.record.status === 'RUNNING') {
      running.record.error = error;
      running.record.cause = cause;
      running.abort.abort();
    }
    return { stopDate: running.record.stopDate ?? new Date() };
  }

  /** Aborts every running execution (their workers are stopped) and waits until they have settled. */
  async stopAll(): Promise<void> {
    const executions = [...this.executions.values()];
    for (const { abort } of executions) abort.abort();
    await Promise.all(executions.map(({ done }) => done));
  }

  private async run(
    machine: LocalStateMachine,
    record: ExecutionRecord,
    input: unknown,
    signal: AbortSignal,
  ): Promise<void> {
    const log = (message: string) => this.options.log(`[${record.name}] ${message}`);
    const scope: ExecutionScope = { executionArn: record.executionArn, executionName: record.name, signal, log };
    const stateMachine = new StateMachine(machine.definition, { validationOptions: { checkArn: false } });
    // Tasks still in flight when the execution ends (aborted) are awaited, so no worker outlives `done`.
    const inFlight = new Set<Promise<unknown>>();
    const handlers = Object.fromEntries(
      Object.entries(localTaskHandlers(machine.definition, this.options.services, scope)).map(([name, handler]) => [
        name,
        (taskInput: Parameters<typeof handler>[0]) => {
          const task = Promise.resolve(handler(taskInput));
          inFlight.add(task);
          void task.finally(() => inFlight.delete(task)).catch(() => undefined);
          return task;
        },
      ]),
    );
    const execution = stateMachine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          Input: input as never,
          StartTime: record.startDate.toISOString(),
        },
        StateMachine: { Id: machine.arn, Name: machine.arn.split(':').pop() },
      },
    });
    signal.addEventListener('abort', () => execution.abort(), { once: true });
    void this.logStates(execution.eventLogs, log);
    log(`started ${machine.arn.split(':').pop()}`);
    try {
      record.output = JSON.stringify(await execution.result);
      record.status = 'SUCCEEDED';
    } catch (error) {
      Object.assign(record, executionFailure(error));
    }
    await Promise.allSettled(inFlight);
    record.stopDate = new Date();
    log(
      `${record.status}${record.error ? ` ${record.error}: ${truncate(localCause(record.cause ?? ''), 500)}` : ''} after ${((record.stopDate.getTime() - record.startDate.getTime()) / 1000).toFixed(1)} s`,
    );
    await this.options
      .onExecutionClosed?.(record)
      .catch((error: unknown) => log(`status change handling failed: ${String(error)}`));
  }

  private async logStates(
    events: AsyncGenerator<{ type: string; state?: { name: string }; index?: number }>,
    log: (message: string) => void,
  ) {
    for await (const event of events) {
      if (event.type === 'StateEntered' && event.state)
        log(`→ ${event.state.name}${event.index !== undefined ? ` [${event.index}]` : ''}`);
    }
  }
}

const truncate = (text: string, length: number) => (text.length > length ? `${text.slice(0, length)}…` : text);
