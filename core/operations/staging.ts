import { DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { safeFileName, stagedUploadFileName } from '../media/safe-names';
import type { UploadedArchive, UploadedMedia } from './media-source';

/** What the pipeline is told to read: a staged folder of uploads or one staged archive (docs/pipeline.md `source`). */
export interface StagedSource {
  readonly kind: 'staged_files' | 'staged_archive';
  readonly uri: string;
  /** Every key written, for cleanup when the operation does not start. */
  readonly keys: readonly string[];
}

export type StageableSource =
  | { readonly kind: 'files'; readonly files: readonly UploadedMedia[] }
  | { readonly kind: 'archive'; readonly archive: UploadedArchive };

export interface StagingTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly datasetId: string;
  readonly operationId: string;
}

/** Uploads at once: enough to hide S3's latency, few enough not to hold every body in flight at the same time. */
const PUT_CONCURRENCY = 8;

export class StagingError extends Error {
  constructor(cause: unknown) {
    super(`Staging failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StagingError';
  }
}

const stagingPrefix = (datasetId: string, operationId: string) => `staging/${datasetId}/${operationId}/`;

/**
 * Writes the uploads under `staging/{ds}/{op}/files/{n}-{safe name}` or `.../archive/{safe name}` (docs/data-model.md).
 * On any failure it deletes every key it may have written and throws StagingError: nothing is left behind.
 */
export async function stageUploads(target: StagingTarget, source: StageableSource): Promise<StagedSource> {
  const prefix = stagingPrefix(target.datasetId, target.operationId);
  const objects =
    source.kind === 'files'
      ? source.files.map((file, index) => ({
          key: `${prefix}files/${stagedUploadFileName(index, file.name)}`,
          bytes: file.bytes,
          contentType: file.mime,
        }))
      : [
          {
            key: `${prefix}archive/${safeFileName(source.archive.name)}`,
            bytes: source.archive.bytes,
            contentType: 'application/octet-stream',
          },
        ];
  const keys = objects.map((object) => object.key);
  try {
    await inBatches(objects, PUT_CONCURRENCY, (object) =>
      target.s3.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: object.key,
          Body: object.bytes,
          ContentType: object.contentType,
        }),
      ),
    );
  } catch (error) {
    await deleteStaged(target.s3, target.bucket, keys).catch(() => undefined);
    throw new StagingError(error);
  }
  const uri = source.kind === 'files' ? `s3://${target.bucket}/${prefix}files/` : `s3://${target.bucket}/${keys[0]}`;
  return { kind: source.kind === 'files' ? 'staged_files' : 'staged_archive', uri, keys };
}

/** Deletes staged keys (at most 1000 per request, S3's DeleteObjects limit); missing keys are not an error. */
export async function deleteStaged(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    const result = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
    if (result.Errors?.length) {
      throw new Error(
        `Could not delete ${result.Errors.length} staged object(s): ${result.Errors[0]?.Code ?? 'unknown'}`,
      );
    }
  }
}

/** Runs `size` at a time; on a failure it still waits for the rest of the batch, so no upload lands after the cleanup. */
async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    const results = await Promise.allSettled(items.slice(start, start + size).map(run));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
