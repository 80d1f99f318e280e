import type { S3Client } from '@aws-sdk/client-s3';
import { discoveryKey, manifestPartKey } from '../../core/store/batch-paths';
import {
  type DiscoverySummary,
  MANIFEST_PART_MAX_LINES,
  MAX_REPORTED_SKIPPED,
  type ManifestLine,
  type SkippedMedia,
} from '../runtime/batch-records';
import { putText } from './s3-io';

/**
 * Writes `manifest/part-NNNNN.jsonl` (MANIFEST_PART_MAX_LINES lines each, in the order media is added) as media comes in,
 * so memory stays flat at any source size, then `discovery.json` with the totals.
 */
export class ManifestWriter {
  private lines: string[] = [];
  private parts = 0;
  private images = 0;
  private videos = 0;
  private totalBytes = 0;
  private skippedCount = 0;
  private readonly skipped: SkippedMedia[] = [];

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly datasetId: string,
    private readonly batchId: string,
  ) {}

  get skippedTotal(): number {
    return this.skippedCount;
  }

  get mediaCount(): number {
    return this.images + this.videos;
  }

  async add(line: ManifestLine): Promise<void> {
    this.lines.push(JSON.stringify(line));
    if (line.type === 'image') this.images += 1;
    else this.videos += 1;
    this.totalBytes += line.bytes;
    if (this.lines.length === MANIFEST_PART_MAX_LINES) await this.flushPart();
  }

  /** The first skipped media (for logs). */
  skippedSample(limit = 20): SkippedMedia[] {
    return this.skipped.slice(0, limit);
  }

  skip(item: SkippedMedia): void {
    this.skippedCount += 1;
    if (this.skipped.length < MAX_REPORTED_SKIPPED) this.skipped.push(item);
  }

  /** Writes the last part and discovery.json; returns what discovery.json says. */
  async finish(): Promise<DiscoverySummary> {
    await this.flushPart();
    const summary: DiscoverySummary = {
      n_images: this.images,
      n_videos: this.videos,
      n_objects: 0,
      n_parts: this.parts,
      n_skipped: this.skippedCount,
      skipped: this.skipped,
      total_bytes: this.totalBytes,
    };
    await putText(
      this.s3,
      { bucket: this.bucket, key: discoveryKey(this.datasetId, this.batchId) },
      JSON.stringify(summary),
      'application/json',
    );
    return summary;
  }

  private async flushPart(): Promise<void> {
    if (this.lines.length === 0) return;
    const key = manifestPartKey(this.datasetId, this.batchId, this.parts);
    await putText(this.s3, { bucket: this.bucket, key }, `${this.lines.join('\n')}\n`, 'application/x-ndjson');
    this.parts += 1;
    this.lines = [];
  }
}
