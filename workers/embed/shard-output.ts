import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { embeddingShardKeys } from '../../core/store/batch-paths';
import type { EmbeddedEntries } from './embed-entries';
import { encodeRows, encodeSkipped, encodeVectors } from './shard-format';

/**
 * Writes the shard's three files. Vectors and rows go first and the skipped list last, so a shard whose .skipped.json
 * exists is complete; a retried shard overwrites the same keys.
 */
export async function writeShard(
  s3: S3Client,
  bucket: string,
  at: { datasetId: string; batchId: string; shardIndex: number },
  embedded: EmbeddedEntries,
): Promise<void> {
  const keys = embeddingShardKeys(at.datasetId, at.batchId, at.shardIndex);
  await Promise.all([
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: keys.vectors,
        Body: encodeVectors(embedded.vectors),
        ContentType: 'application/octet-stream',
      }),
    ),
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: keys.rows,
        Body: encodeRows(embedded.rows),
        ContentType: 'application/x-ndjson',
      }),
    ),
  ]);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: keys.skipped,
      Body: encodeSkipped(embedded.skipped),
      ContentType: 'application/json',
    }),
  );
}
