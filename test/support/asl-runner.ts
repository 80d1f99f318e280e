import '../../local/workflows/promise-with-resolvers';
import { createRequire } from 'node:module';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { executionFailure } from '../../local/workflows/execution-failure';
import { forEachState, loadStateMachineDefinition } from '../../local/workflows/state-machine-definition';

/**
 * Executes an ASL file with aws-local-stepfunctions, every Task state answered by a local function, and records what
 * each Task was called with. Loading goes through the local runtime's loader, so a test sees exactly the definition
 * `npm start` runs (placeholders substituted the way CloudFormation does, a missing one is an error).
 */

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

interface TaskCall {
  /** Name of the Task state (unique machine-wide, Map iterators included). */
  readonly state: string;
  readonly resource: string;
}

/** Answers one Task state: returns its result, or throws (error.name = Step Functions' Error, error.message = Cause). */
export type TaskHandler = (input: any, call: TaskCall) => unknown;

export interface RecordedCall extends TaskCall {
  readonly input: any;
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause: string };
}

export interface AslRun {
  readonly definition: StateMachineDefinition;
  readonly input: unknown;
  /** Handlers by Task state name; they take precedence over `resources`. */
  readonly states?: Readonly<Record<string, TaskHandler>>;
  /** Handlers by the Task's Resource (after substitution), e.g. `arn:aws:states:::ecs:runTask.sync`. */
  readonly resources?: Readonly<Record<string, TaskHandler>>;
  /** Context object (`$$`) fields; Execution.Input is always the run's input. */
  readonly context?: RunOptions['context'];
  /** Wait between Retry attempts, in ms (default 0: retries are immediate). */
  readonly retryDelayMs?: number;
}

export interface AslRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly output?: unknown;
  /** Error and Cause the execution failed with. */
  readonly error?: { readonly Error: string; readonly Cause: string };
  /** Every Task call in the order the calls started (Map iterations interleave). */
  readonly calls: readonly RecordedCall[];
  readonly events: readonly EventLog[];
}

/** A Task failure with Step Functions' Error name (e.g. `States.TaskFailed`) and Cause. */
export class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

// asl-validator ships CommonJS without type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText(separator?: string): string;
};

/** asl-validator's findings for a definition (empty when it is valid ASL). */
export function aslProblems(definition: StateMachineDefinition): string[] {
  const { isValid, errorsText } = aslValidator(definition);
  return isValid ? [] : errorsText('\n').split('\n');
}

export function loadAsl(file: string, substitutions: Readonly<Record<string, string>>): StateMachineDefinition {
  return loadStateMachineDefinition(file, substitutions);
}

export async function runAsl(run: AslRun): Promise<AslRunResult> {
  const calls: RecordedCall[] = [];
  const handlers: LocalHandlers = {};
  const unanswered: string[] = [];
  const retryable: Record<string, number> = {};

  forEachState(run.definition.States, (state, body) => {
    if (body.Retry) retryable[state] = run.retryDelayMs ?? 0;
    if (body.Type !== 'Task') return;
    const call = { state, resource: String(body.Resource) };
    const handler = run.states?.[state] ?? run.resources?.[call.resource];
    // Without an override the library would call the real AWS Lambda: refuse before anything runs.
    if (!handler) return void unanswered.push(`${state} (${call.resource})`);
    handlers[state] = async (input) => {
      const recorded: { -readonly [K in keyof RecordedCall]: RecordedCall[K] } = {
        ...call,
        input: structuredClone(input),
      };
      calls.push(recorded);
      try {
        const output = await handler(input, call);
        recorded.output = output;
        return output as Awaited<ReturnType<LocalHandlers[string]>>;
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        recorded.error = { Error: failure.name, Cause: failure.message };
        throw failure;
      }
    };
  });
  if (unanswered.length > 0) throw new Error(`No local handler for Task state(s): ${unanswered.join(', ')}`);

  const machine = new StateMachine(run.definition, { validationOptions: { checkArn: false } });
  const execution = machine.run(run.input as never, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryable },
    ...(run.context ? { context: run.context } : {}),
  });
  const events: EventLog[] = [];
  const collected = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();

  let result: Omit<AslRunResult, 'calls' | 'events'>;
  try {
    result = { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    result = failureOf(error);
  }
  await collected;
  return { ...result, calls, events };
}

function failureOf(error: unknown): Omit<AslRunResult, 'calls' | 'events'> {
  const failure = executionFailure(error);
  if (failure.status === 'ABORTED') throw new Error('An execution of the test runner was aborted');
  return { status: failure.status, error: { Error: failure.error ?? 'Error', Cause: failure.cause ?? '' } };
}
