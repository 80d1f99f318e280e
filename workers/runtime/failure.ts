/**
 * How a worker fails (docs/pipeline.md): one JSON line `{"error": "<readable message>"}` on stderr, exit code 1. The line
 * is what `mark-failed` records on the dataset, so it must read well on its own.
 */
export class WorkerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerError';
  }
}

/** The single line printed for `error`: its message, newlines flattened. */
export function failureLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return JSON.stringify({ error: message.replace(/\s*\n\s*/g, ' ').trim() || 'Unknown error' });
}

export function exitWithFailure(error: unknown): never {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exit(1);
}
