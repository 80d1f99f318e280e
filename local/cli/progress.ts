import type { DatasetView } from '../../core/datasets/dataset-record';

const WIDTH = 30;

/** One line: `[#########.....]  42%  READ ONLY  (17 images, 3 videos)`. */
export function progressLine(dataset: DatasetView): string {
  const percent = Math.max(0, Math.min(100, Math.round(dataset.progress)));
  const filled = Math.round((percent / 100) * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}%  ${dataset.status_new}  (${dataset.n_images} images, ${dataset.n_videos} videos)`;
}

/**
 * Renders progress on stderr: redrawn in place on a terminal, otherwise one line per change so logs stay readable.
 */
export class ProgressBar {
  private last = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(dataset: DatasetView): void {
    const line = progressLine(dataset);
    if (line === this.last) return;
    this.last = line;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${line}`);
    else this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\n');
  }
}
