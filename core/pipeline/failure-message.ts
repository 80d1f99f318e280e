/** Turns what a Step Functions Catch received ({Error, Cause}) into the one-line `error` the API shows. */
export interface CaughtError {
  readonly Error?: string | null;
  readonly Cause?: string | null;
}

export const MAX_ERROR_LENGTH = 500;

/**
 * Preference: the worker's own `{"error": "..."}` line (wherever the Cause carries it), then what an ECS task result says
 * (stop reason, container exit code), then a Lambda error's `errorMessage`, else `Error: Cause`.
 */
export function readableFailure(caught: CaughtError | null | undefined): string {
  const name = caught?.Error?.trim() || 'Error';
  const cause = caught?.Cause?.trim() ?? '';
  const parsed = parseJson(cause);
  const message =
    workerErrorLine([cause, ...nestedStrings(parsed)]) ??
    ecsTaskMessage(parsed) ??
    lambdaErrorMessage(parsed) ??
    (cause ? `${name}: ${cause}` : name);
  return shorten(message);
}

export function shorten(message: string, max = MAX_ERROR_LENGTH): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1).trimEnd()}…`;
}

type Json = Record<string, unknown>;

function parseJson(text: string): Json | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Workers print `{"error": "<message>"}` as one stderr line; a runner may pass it on inside any text field. */
function workerErrorLine(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    for (const line of text.split(/\r?\n/)) {
      const value = parseJson(line.trim());
      if (value && typeof value.error === 'string' && value.error.trim()) return value.error;
    }
  }
  return undefined;
}

function nestedStrings(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object' || depth > 4) return [];
  return Object.values(value).flatMap((child) => nestedStrings(child, depth + 1));
}

/** Step Functions passes the DescribeTasks task (PascalCase); the raw API uses camelCase. Accept both. */
function field(object: unknown, name: string): unknown {
  if (!object || typeof object !== 'object') return undefined;
  const record = object as Json;
  return record[name] ?? record[name.charAt(0).toLowerCase() + name.slice(1)];
}

function ecsTaskMessage(task: Json | undefined): string | undefined {
  if (!task) return undefined;
  const failures = field(task, 'Failures');
  if (Array.isArray(failures) && failures.length) {
    const reasons = failures.map((failure) => field(failure, 'Reason')).filter((reason) => typeof reason === 'string');
    if (reasons.length) return `ECS could not start the task: ${[...new Set(reasons)].join('; ')}`;
  }
  const containers = field(task, 'Containers');
  const stoppedReason = field(task, 'StoppedReason');
  const stopCode = field(task, 'StopCode');
  if (!Array.isArray(containers) && stoppedReason === undefined && stopCode === undefined) return undefined;

  const parts: string[] = [];
  if (typeof stoppedReason === 'string' || typeof stopCode === 'string') {
    const code = typeof stopCode === 'string' ? ` (${stopCode})` : '';
    parts.push(`ECS task stopped${code}${typeof stoppedReason === 'string' ? `: ${stoppedReason}` : ''}`);
  }
  for (const container of Array.isArray(containers) ? containers : []) {
    const exitCode = field(container, 'ExitCode');
    const reason = field(container, 'Reason');
    if ((typeof exitCode !== 'number' || exitCode === 0) && typeof reason !== 'string') continue;
    const name = field(container, 'Name') ?? 'container';
    const exit = typeof exitCode === 'number' ? ` exited with code ${exitCode}` : ' failed';
    parts.push(`container ${String(name)}${exit}${typeof reason === 'string' ? `: ${reason}` : ''}`);
  }
  return parts.length ? parts.join('; ') : 'ECS task failed';
}

function lambdaErrorMessage(error: Json | undefined): string | undefined {
  if (!error) return undefined;
  const message = error.errorMessage;
  if (typeof message === 'string' && message.trim()) return message;
  return typeof error.errorType === 'string' ? error.errorType : undefined;
}
