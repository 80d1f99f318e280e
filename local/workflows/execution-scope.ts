/** What every local task integration knows about the execution it runs in. */
export interface ExecutionScope {
  readonly executionArn: string;
  readonly executionName: string;
  /** Aborted by StopExecution or shutdown: running workers are stopped. */
  readonly signal: AbortSignal;
  log(message: string): void;
}

/** An error as a Task state reports it: `name` is the ASL error name (`Error`), `message` the `Cause`. */
export class TaskError extends Error {
  constructor(errorName: string, cause: string) {
    super(cause);
    this.name = errorName;
  }
}

/**
 * `States.Runtime`: Step Functions could not run the state at all (e.g. parameters its integration does not accept).
 * Like in the cloud, neither Retry nor a `States.ALL` Catch applies: the execution fails.
 */
export class StatesRuntimeError extends TaskError {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(cause: string) {
    super('States.Runtime', cause);
  }
}
