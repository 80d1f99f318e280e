import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireDatasetLock } from '../../core/datasets/dataset-lock';
import { workerErrorKey } from '../../core/pipeline/worker-error-report';
import type { TestBucket, TestTable } from '../support/servers';
import {
  cluster,
  clusterIds,
  dataset,
  executionInput,
  mediaSortKeys,
  objectKeys,
  putCluster,
  putMedia,
  putObject,
  type Seeded,
  seedDataset,
  startPipelineServers,
} from './pipeline-fixtures';

let table: TestTable;
let bucket: TestBucket;
let handler: typeof import('../../lambdas/mark-failed/handler').handler;

beforeAll(async () => {
  ({ table, bucket } = await startPipelineServers());
  ({ handler } = await import('../../lambdas/mark-failed/handler'));
});

/** A failed embed task as Step Functions reports it, with the worker's error line passed on in the container reason. */
const ecsFailure = {
  Error: 'States.TaskFailed',
  Cause: JSON.stringify({
    Containers: [
      { Name: 'worker', ExitCode: 1, Reason: '{"error": "Cannot read s3://src/prefix/a.jpg: Access Denied"}' },
    ],
    StopCode: 'EssentialContainerExited',
    StoppedReason: 'Essential container in task exited',
  }),
};
const READABLE = 'Cannot read s3://src/prefix/a.jpg: Access Denied';

/** What the dataset had before the operation (batch b0, clustering c0) and what the failed operation `op` wrote. */
async function seedWorld(seeded: Seeded) {
  const { datasetId: ds, operationId: op } = seeded;
  await putMedia(table, ds, 'b0', ['m1', 'm2', 'm3']);
  // k1 was joined by b0 (1 media) and by the failed batch (3 media); k2 only by b0.
  await putCluster(table, ds, 'c0', 'k1', { size: 5, added_by_batch: { b0: 1, [op]: 3 } });
  await putCluster(table, ds, 'c0', 'k2', { size: 3, added_by_batch: { b0: 1 } });
  await putCluster(table, ds, 'c0', 'b0-new', { partial: true, batch_id: 'b0' });
  // More than one BatchWriteItem (25) worth of media.
  await putMedia(
    table,
    ds,
    op,
    Array.from({ length: 30 }, (_, i) => `n${i}`),
  );
  await putCluster(table, ds, 'c0', `${op}-new`, { partial: true, batch_id: op });
  await putCluster(table, ds, op, 'f1');
  for (const key of [
    `datasets/${ds}/batches/b0/embeddings/shard-00000.f32`,
    `datasets/${ds}/clusterings/c0/partition-vectors.f32`,
    `staging/${ds}/other-op/files/0-x.jpg`,
    `datasets/${ds}/batches/${op}/discovery.json`,
    `datasets/${ds}/batches/${op}/manifest/part-00000.jsonl`,
    `datasets/${ds}/batches/${op}/embeddings/shard-00000.f32`,
    // A stopped embed shard's checkpoint (docs/pipeline.md "Stopping") goes with the rest of the batch.
    `datasets/${ds}/batches/${op}/checkpoints/shard-00001/part-00000.f32`,
    `datasets/${ds}/batches/${op}/checkpoints/shard-00001/part-00000.json`,
    `datasets/${ds}/clusterings/${op}/summary.json`,
    `staging/${ds}/${op}/files/0-a.jpg`,
  ])
    await putObject(bucket, key, 'x');
}

const earlierObjects = (ds: string) => [
  `datasets/${ds}/batches/b0/embeddings/shard-00000.f32`,
  `datasets/${ds}/clusterings/c0/partition-vectors.f32`,
  `staging/${ds}/other-op/files/0-x.jpg`,
];

const allKeys = async (ds: string) =>
  [...(await objectKeys(bucket, `datasets/${ds}/`)), ...(await objectKeys(bucket, `staging/${ds}/`))].sort();

describe('mark-failed Lambda', () => {
  it('ends a failed add in ERROR with a readable message, releases the lock and removes only the failed batch', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    const ds = seeded.datasetId;
    await seedWorld(seeded);

    const result = await handler({ input: executionInput(seeded), error: ecsFailure });

    expect(result).toEqual({
      released: true,
      error: READABLE,
      cleanup: { media_items: 30, cluster_items: 2, cluster_sizes_restored: 1, objects: 7, errors: [] },
    });
    const stored = await dataset(table, ds);
    expect(stored).toMatchObject({
      status: 'ERROR',
      error: READABLE,
      n_images: 2,
      n_videos: 1,
      batches: ['b0'],
      clustering_id: 'c0',
      last_operation: {
        type: 'MEDIA_ADDITION',
        operation_id: seeded.operationId,
        status: 'FAILED',
        error: READABLE,
        finished_at: expect.any(String),
      },
    });
    expect(stored?.active_task).toBeUndefined();
    expect(await mediaSortKeys(table, ds)).toEqual(['b0#m1', 'b0#m2', 'b0#m3']);
    expect(await clusterIds(table, ds, 'c0')).toEqual(['b0-new', 'k1', 'k2']);
    expect(await cluster(table, ds, 'c0', 'k1')).toMatchObject({ size: 2, added_by_batch: { b0: 1 } });
    expect(await cluster(table, ds, 'c0', 'k2')).toMatchObject({ size: 3, added_by_batch: { b0: 1 } });
    expect(await clusterIds(table, ds, seeded.operationId)).toEqual([]);
    expect(await allKeys(ds)).toEqual(earlierObjects(ds).sort());
  });

  it('records the error a worker reported to S3 when the ECS cause carries only the exit code (as in the cloud)', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    const ds = seeded.datasetId;
    await putObject(
      bucket,
      workerErrorKey(ds, seeded.operationId, 'embed', '3'),
      JSON.stringify({
        error: 'Model checksum mismatch for s3://models/clip.onnx',
        task: 'embed',
        at: new Date().toISOString(),
      }),
    );
    const bareEcsFailure = {
      Error: 'States.TaskFailed',
      Cause: JSON.stringify({ Containers: [{ Name: 'worker', ExitCode: 1 }], StopCode: 'EssentialContainerExited' }),
    };

    const result = await handler({ input: executionInput(seeded), error: bareEcsFailure });

    expect(result).toMatchObject({ released: true, error: 'Model checksum mismatch for s3://models/clip.onnx' });
    expect(await dataset(table, ds)).toMatchObject({
      status: 'ERROR',
      error: 'Model checksum mismatch for s3://models/clip.onnx',
    });
    expect(await objectKeys(bucket, `datasets/${ds}/batches/${seeded.operationId}/`)).toEqual([]);
  });

  it('changes nothing when called again for the same operation', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    await handler({ input: executionInput(seeded), error: ecsFailure });
    const after = await dataset(table, seeded.datasetId);

    expect(
      await handler({ input: executionInput(seeded), error: { Error: 'States.Runtime', Cause: 'other' } }),
    ).toEqual({ released: false });
    expect(await dataset(table, seeded.datasetId)).toEqual(after);
  });

  it('changes and deletes nothing for an operation that no longer holds the lock', async () => {
    const stale = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    const ds = stale.datasetId;
    await seedWorld(stale);
    // The stale operation's lock was released and a newer operation took it.
    await handler({ input: executionInput(stale), error: ecsFailure });
    const holder = { datasetId: ds, operationId: randomUUID() };
    await acquireDatasetLock(table.client, table.tableName, {
      datasetId: ds,
      operationId: holder.operationId,
      taskType: 'REINDEX',
      allowedFrom: ['ERROR'],
      lockedStatus: 'INDEXING',
      requireEmbeddingConfig: false,
      now: new Date(),
    });
    await putMedia(table, ds, stale.operationId, ['late']);
    await putCluster(table, ds, holder.operationId, 'h1');
    const before = await dataset(table, ds);

    expect(await handler({ input: executionInput(stale), error: ecsFailure })).toEqual({ released: false });
    expect(await dataset(table, ds)).toEqual(before);
    expect(await mediaSortKeys(table, ds)).toContain(`${stale.operationId}#late`);
    expect(await clusterIds(table, ds, holder.operationId)).toEqual(['h1']);
  });

  it('keeps a batch that finalize committed when the auto_reindex clustering fails, removing only that clustering', async () => {
    const operationId = randomUUID();
    const seeded = await seedDataset(table, {
      record: { batches: ['b0', operationId], n_images: 4 },
      lock: { taskType: 'MEDIA_ADDITION', operationId },
    });
    const ds = seeded.datasetId;
    await seedWorld(seeded);

    const result = await handler({ input: executionInput(seeded, { auto_reindex: true }), error: ecsFailure });

    expect(result).toMatchObject({
      released: true,
      cleanup: { media_items: 0, cluster_items: 1, cluster_sizes_restored: 0, objects: 1, errors: [] },
    });
    expect(await cluster(table, ds, 'c0', 'k1')).toMatchObject({
      size: 5,
      added_by_batch: { b0: 1, [operationId]: 3 },
    });
    expect(await dataset(table, ds)).toMatchObject({
      status: 'ERROR',
      batches: ['b0', operationId],
      n_images: 4,
      clustering_id: 'c0',
    });
    expect(await mediaSortKeys(table, ds)).toHaveLength(33);
    expect(await clusterIds(table, ds, 'c0')).toEqual(['b0-new', 'k1', 'k2', `${operationId}-new`].sort());
    expect(await clusterIds(table, ds, operationId)).toEqual([]);
    expect(await objectKeys(bucket, `datasets/${ds}/batches/${operationId}/`)).toHaveLength(5);
    expect(await objectKeys(bucket, `datasets/${ds}/clusterings/${operationId}/`)).toEqual([]);
  });

  it('removes the clustering a failed reindex was building and keeps the committed one', async () => {
    const seeded = await seedDataset(table, { record: { status: 'PENDING_INDEX' }, lock: { taskType: 'REINDEX' } });
    const ds = seeded.datasetId;
    await putMedia(table, ds, 'b0', ['m1']);
    await putCluster(table, ds, 'c0', 'k1');
    await putCluster(table, ds, seeded.operationId, 'f1');
    await putCluster(table, ds, seeded.operationId, 'f2');
    await putObject(bucket, `datasets/${ds}/clusterings/${seeded.operationId}/ids.json`, '[]');
    await putObject(bucket, `datasets/${ds}/clusterings/c0/ids.json`, '[]');
    const input = {
      dataset_id: ds,
      operation_id: seeded.operationId,
      operation: 'reindex',
      task_type: 'REINDEX',
      caller: 'alice',
      use_spot: null,
    };

    const result = await handler({ input, error: { Error: 'States.Timeout' } });

    expect(result).toEqual({
      released: true,
      error: 'States.Timeout',
      cleanup: { media_items: 0, cluster_items: 2, cluster_sizes_restored: 0, objects: 1, errors: [] },
    });
    expect(await dataset(table, ds)).toMatchObject({ status: 'ERROR', error: 'States.Timeout', clustering_id: 'c0' });
    expect(await mediaSortKeys(table, ds)).toEqual(['b0#m1']);
    expect(await clusterIds(table, ds, 'c0')).toEqual(['k1']);
    expect(await allKeys(ds)).toEqual([`datasets/${ds}/clusterings/c0/ids.json`]);
  });
});
