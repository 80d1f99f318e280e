import type { OperationView } from '../../core/datasets/operation-view';

const WIDTH = 30;

/** One line: `[#########.....]  42%  embed  (3 added, 1 skipped)` (counts once the batch is committed). */
export function progressLine(operation: OperationView): string {
  const percent = Math.max(0, Math.min(100, Math.round(operation.progress)));
  const filled = Math.round((percent / 100) * WIDTH);
  const state = operation.status === 'RUNNING' ? (operation.phase ?? 'starting') : operation.status;
  const counts =
    operation.n_added === null ? '' : `  (${operation.n_added} added, ${operation.n_skipped ?? 0} skipped)`;
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}%  ${state}${counts}`;
}

/**
 * Renders progress on stderr: redrawn in place on a terminal, otherwise one line per change so logs stay readable.
 */
export class ProgressBar {
  private last = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(operation: OperationView): void {
    const line = progressLine(operation);
    if (line === this.last) return;
    this.last = line;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${line}`);
    else this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\n');
  }
}
