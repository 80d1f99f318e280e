/**
 * A failed worker's cause is the ECS task description the state machine reads (TaskArn, Containers…); the log says
 * what a local user can act on: the worker's own error line, or its exit code.
 */
export function localCause(cause: string): string {
  try {
    const task = JSON.parse(cause) as { TaskArn?: string; Containers?: { ExitCode?: number; Reason?: string }[] };
    const container = task.Containers?.[0];
    if (!task.TaskArn || !container) return cause;
    return `worker process failed: ${container.Reason ?? `exit code ${container.ExitCode}`}`;
  } catch {
    return cause;
  }
}
