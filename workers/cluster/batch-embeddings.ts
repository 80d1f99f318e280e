import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { embeddingShardKeys, planKey } from '../../core/store/batch-paths';
import type { ShardRow } from '../embed/embed-entries';
import { decodeRows, decodeVectors } from '../embed/shard-format';
import type { SkippedMedia } from '../runtime/batch-records';

/** Every embedded media of one batch: vectors row-aligned with rows, shards concatenated in index order. */
export interface BatchEmbeddings {
  readonly batchId: string;
  readonly vectors: Float32Array;
  readonly rows: readonly ShardRow[];
  readonly skipped: readonly SkippedMedia[];
}

const planShardsSchema = z.object({ shards: z.array(z.object({ index: z.number().int().nonnegative() })) });

/** Reads the batch's shards as listed in its plan.json, so a missing shard is an error rather than silently fewer media. */
export async function readBatchEmbeddings(
  s3: S3Client,
  bucket: string,
  datasetId: string,
  batchId: string,
  dimension: number,
): Promise<BatchEmbeddings> {
  const plan = planShardsSchema.parse(
    JSON.parse(new TextDecoder().decode(await getBytes(s3, bucket, planKey(datasetId, batchId)))),
  );
  const indexes = plan.shards.map((shard) => shard.index).sort((a, b) => a - b);
  const shards = await Promise.all(
    indexes.map(async (index) => {
      const keys = embeddingShardKeys(datasetId, batchId, index);
      const [vectorBytes, rowBytes, skippedBytes] = await Promise.all([
        getBytes(s3, bucket, keys.vectors),
        getBytes(s3, bucket, keys.rows),
        getBytes(s3, bucket, keys.skipped),
      ]);
      const vectors = decodeVectors(vectorBytes, dimension, keys.vectors);
      const rows = decodeRows(new TextDecoder().decode(rowBytes), keys.rows);
      if (rows.length * dimension !== vectors.length) {
        throw new Error(
          `${keys.vectors} holds ${vectors.length / dimension} vectors but ${keys.rows} lists ${rows.length} media`,
        );
      }
      return { vectors, rows, skipped: JSON.parse(new TextDecoder().decode(skippedBytes)) as SkippedMedia[] };
    }),
  );
  const total = shards.reduce((sum, shard) => sum + shard.rows.length, 0);
  const vectors = new Float32Array(total * dimension);
  let offset = 0;
  for (const shard of shards) {
    vectors.set(shard.vectors, offset);
    offset += shard.vectors.length;
  }
  return {
    batchId,
    vectors,
    rows: shards.flatMap((shard) => shard.rows),
    skipped: shards.flatMap((shard) => shard.skipped),
  };
}

async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToByteArray();
  } catch (error) {
    if (error instanceof NoSuchKey) throw new Error(`s3://${bucket}/${key} does not exist`);
    throw error;
  }
}
