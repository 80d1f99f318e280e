import { ExecutionAbortedError, ExecutionTimeoutError } from 'aws-local-stepfunctions';

export interface ExecutionFailure {
  readonly status: 'ABORTED' | 'TIMED_OUT' | 'FAILED';
  /** Step Functions' Error name (e.g. `States.TaskFailed`); absent for an aborted execution. */
  readonly error?: string;
  readonly cause?: string;
}

/** How a failed aws-local-stepfunctions execution reads in Step Functions' terms (status, Error, Cause). */
export function executionFailure(error: unknown): ExecutionFailure {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  // ExecutionError wraps the state's error as `cause`; a Fail state's ErrorPath/CausePath become its name/message.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return {
    status: 'FAILED',
    error: (error as Error).name ?? 'Error',
    cause: (error as Error).message ?? String(error),
  };
}
