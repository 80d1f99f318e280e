import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { TEST_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import { ensureTestModel } from '../../core/model/generate-test-model';
import { manifestPartKey, mediaObjectKey, planKey } from '../../core/store/batch-paths';
import { datasetKey } from '../../core/store/table-schema';
import { type EmbedShardJob, runEmbedShard } from '../../workers/embed/embed-shard-job';
import type { ManifestLine } from '../../workers/runtime/batch-records';
import {
  createTestBucket,
  createTestTable,
  TEST_CREDENTIALS,
  type TestBucket,
  type TestTable,
} from '../support/servers';

/** Shared set-up of the worker tests: a dataset locked by an operation, media uploaded under its batch, the test model. */
export const newId = () => randomBytes(12).toString('hex');

export const S3RVER_CREDENTIALS = TEST_CREDENTIALS;

export const createWorkerBucket = (): Promise<TestBucket> => createTestBucket();

export const createWorkerTable = (): Promise<TestTable> => createTestTable();

export function testModel(): { uri: string; sha256: string } {
  const { path, sha256 } = ensureTestModel(join(mkdtempSync(join(tmpdir(), 'test-model-')), 'encoder.onnx'));
  return { uri: `file://${path}`, sha256 };
}

export async function putLockedDataset(
  table: TestTable,
  datasetId: string,
  operationId: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...datasetKey(datasetId),
        id: datasetId,
        status: 'UPDATING',
        batches: [],
        n_images: 0,
        n_videos: 0,
        progress: 5,
        shards_total: 1,
        shards_done: 0,
        embedding_config: TEST_EMBEDDING_CONFIG,
        active_task: { type: 'MEDIA_ADDITION', operation_id: operationId, started_at: '2024-01-01T00:00:00.000Z' },
        last_operation: {
          type: 'MEDIA_ADDITION',
          operation_id: operationId,
          status: 'RUNNING',
          started_at: '2024-01-01T00:00:00.000Z',
        },
        ...extra,
      },
    }),
  );
}

export interface MediaSpec {
  readonly name: string;
  readonly type: 'image' | 'video';
  readonly bytes?: Uint8Array;
}

/** Uploads media under the batch, writes one manifest part per `parts` entry and a plan with one shard per part. */
export async function stageBatch(
  bucket: TestBucket,
  datasetId: string,
  batchId: string,
  parts: readonly (readonly MediaSpec[])[],
): Promise<ManifestLine[][]> {
  const lines: ManifestLine[][] = [];
  for (const [part, media] of parts.entries()) {
    const partLines: ManifestLine[] = [];
    for (const spec of media) {
      const mediaId = newId();
      const extension = spec.name.slice(spec.name.lastIndexOf('.') + 1);
      const key = mediaObjectKey(datasetId, batchId, mediaId, extension);
      if (spec.bytes)
        await bucket.client.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: key, Body: spec.bytes }));
      partLines.push({
        media_id: mediaId,
        type: spec.type,
        source_uri: `upload://${spec.name}`,
        location: { bucket: bucket.bucket, key },
        bytes: spec.bytes?.length ?? 0,
        mime: spec.type === 'image' ? 'image/jpeg' : 'video/mp4',
      });
    }
    const body = partLines.map((line) => JSON.stringify(line)).join('\n');
    await bucket.client.send(
      new PutObjectCommand({ Bucket: bucket.bucket, Key: manifestPartKey(datasetId, batchId, part), Body: body }),
    );
    lines.push(partLines);
  }
  const plan = { shards: parts.map((_, index) => ({ index, part_start: index, part_end: index + 1 })) };
  await bucket.client.send(
    new PutObjectCommand({ Bucket: bucket.bucket, Key: planKey(datasetId, batchId), Body: JSON.stringify(plan) }),
  );
  return lines;
}

/** Runs the embed task for every shard of a staged batch with the test model on CPU. */
export async function embedBatch(
  bucket: TestBucket,
  table: TestTable,
  datasetId: string,
  batchId: string,
  shardCount: number,
  model: { uri: string; sha256: string },
  overrides: Partial<EmbedShardJob> = {},
): Promise<void> {
  for (let shard = 0; shard < shardCount; shard++) {
    await runEmbedShard({
      s3: bucket.client,
      bucket: bucket.bucket,
      sourceS3: bucket.client,
      localPathsAllowed: false,
      client: table.client,
      tableName: table.tableName,
      datasetId,
      operationId: batchId,
      shardIndex: shard,
      partStart: shard,
      partEnd: shard + 1,
      config: TEST_EMBEDDING_CONFIG,
      model: { uri: model.uri, sha256: model.sha256, cacheDir: join(tmpdir(), 'model-cache-test') },
      executionProvider: 'cpu',
      batchSize: 4,
      prefetch: 1,
      decodeConcurrency: 2,
      checkpointEvery: 1000,
      log: () => {},
      ...overrides,
    });
  }
}
