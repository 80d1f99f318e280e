import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import { type RunTaskParameters, runWorkerTask, type WorkerRuntime } from './ecs-worker-task';
import type { ExecutionScope } from './execution-scope';
import { invokeLambda, type LambdaResolver, lambdaInvokeResult } from './lambda-task';
import { forEachState, MAX_LOCAL_TASK_TIMEOUT_SECONDS } from './state-machine-definition';

export interface LocalServices {
  readonly resolveLambda: LambdaResolver;
  readonly worker: WorkerRuntime;
}

/** What aws-local-stepfunctions calls for each overridden Task state (its input is the state's effective Parameters). */
export type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

const LAMBDA_INVOKE = /^arn:aws[\w-]*:states:::lambda:invoke$/;
const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:[^:]+(?::[^:]+)?$/;
const ECS_RUN_TASK_SYNC = /^arn:aws[\w-]*:states:::ecs:runTask\.sync$/;

/**
 * One local implementation per Task state of `definition`, chosen by its Resource: Lambda → the handler in this process,
 * `ecs:runTask.sync` → the worker as a child process, `dynamodb:*` → the same call against the local table.
 * A resource without a local counterpart fails here, before anything runs.
 */
export function localTaskHandlers(
  definition: StateMachineDefinition,
  services: LocalServices,
  scope: ExecutionScope,
): TaskHandlers {
  // Each handler names the input its state sends; the library hands it JSON (`never`: any typed parameter fits).
  const handlers: Record<string, (input: never) => Promise<unknown>> = {};
  forEachState(definition.States, (name, state) => {
    if (state.Type !== 'Task') return;
    const resource = String(state.Resource);
    // The library enforces the state's timeout; the worker is also stopped then (TimeoutSecondsPath: the library's alone).
    const timeoutSeconds =
      typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : MAX_LOCAL_TASK_TIMEOUT_SECONDS;
    if (LAMBDA_INVOKE.test(resource)) {
      handlers[name] = async (input: { FunctionName: string; Payload?: unknown }) =>
        lambdaInvokeResult(await invokeLambda(services.resolveLambda, input.FunctionName, input.Payload, scope));
    } else if (LAMBDA_ARN.test(resource)) {
      handlers[name] = (input: unknown) => invokeLambda(services.resolveLambda, resource, input, scope);
    } else if (ECS_RUN_TASK_SYNC.test(resource)) {
      handlers[name] = (input: RunTaskParameters) => runWorkerTask(services.worker, input, scope, timeoutSeconds);
    } else {
      throw new Error(`Task state ${name}: resource ${resource} has no local implementation`);
    }
  });
  return handlers as TaskHandlers;
}
