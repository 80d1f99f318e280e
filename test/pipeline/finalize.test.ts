import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestBucket, TestTable } from '../support/servers';
import {
  dataset,
  discovery,
  executionInput,
  putObject,
  type Seeded,
  seedDataset,
  startPipelineServers,
} from './pipeline-fixtures';

let table: TestTable;
let bucket: TestBucket;
let handler: typeof import('../../lambdas/finalize/handler').handler;

beforeAll(async () => {
  ({ table, bucket } = await startPipelineServers());
  ({ handler } = await import('../../lambdas/finalize/handler'));
});

async function batchWithArtefacts(record: Record<string, unknown> = {}): Promise<Seeded> {
  const seeded = await seedDataset(table, { record, lock: { taskType: 'MEDIA_ADDITION' } });
  const prefix = `datasets/${seeded.datasetId}/batches/${seeded.operationId}/`;
  await putObject(bucket, `${prefix}discovery.json`, discovery());
  await putObject(bucket, `${prefix}assign.json`, {
    n_images: 3,
    n_videos: 1,
    n_skipped: 1,
    skipped: [{ name: 'broken.png', reason: 'cannot decode' }],
    n_new_clusters: 2,
    n_joined: 2,
  });
  return seeded;
}

const allSkipped = [
  { name: 'notes.txt', reason: 'unsupported type' },
  { name: 'fake.jpg', reason: 'content is not an image' },
  { name: 'broken.png', reason: 'cannot decode' },
];

describe('finalize Lambda', () => {
  it('commits the batch, adds its counts and ends the operation in PARTIAL INDEX', async () => {
    const seeded = await batchWithArtefacts();

    const result = await handler({ input: executionInput(seeded) });

    expect(result).toEqual({ status: 'PENDING_INDEX', auto_reindex: false, n_added: 4, n_skipped: 3 });
    const stored = await dataset(table, seeded.datasetId);
    expect(stored).toMatchObject({
      status: 'PENDING_INDEX',
      n_images: 5,
      n_videos: 2,
      batches: ['b0', seeded.operationId],
      clustering_id: 'c0',
      clustering_state: 'partial',
      progress: 100,
      last_operation: {
        type: 'MEDIA_ADDITION',
        operation_id: seeded.operationId,
        status: 'SUCCEEDED',
        n_added: 4,
        n_skipped: 3,
        skipped: allSkipped,
        finished_at: expect.any(String),
      },
    });
    expect(stored?.active_task).toBeUndefined();
  });

  it('keeps the lock and moves to INDEXING with auto_reindex', async () => {
    const seeded = await batchWithArtefacts();

    const result = await handler({ input: executionInput(seeded, { auto_reindex: true }) });

    expect(result).toEqual({ status: 'INDEXING', auto_reindex: true, n_added: 4, n_skipped: 3 });
    const stored = await dataset(table, seeded.datasetId);
    expect(stored).toMatchObject({
      status: 'INDEXING',
      progress: 90,
      n_images: 5,
      batches: ['b0', seeded.operationId],
      active_task: { type: 'MEDIA_ADDITION', operation_id: seeded.operationId },
      last_operation: { status: 'RUNNING', phase: 'cluster', n_added: 4, n_skipped: 3 },
    });
    expect(stored?.last_operation?.finished_at).toBeUndefined();
  });

  it('adds nothing twice when retried after committing', async () => {
    const seeded = await batchWithArtefacts();
    const event = { input: executionInput(seeded, { auto_reindex: true }) };
    await handler(event);
    const committed = await dataset(table, seeded.datasetId);

    expect(await handler(event)).toEqual({ status: 'INDEXING', auto_reindex: true, n_added: 4, n_skipped: 3 });
    expect(await dataset(table, seeded.datasetId)).toEqual(committed);
  });

  it('keeps only the first 100 skipped media on the dataset', async () => {
    const seeded = await batchWithArtefacts();
    const skipped = Array.from({ length: 150 }, (_, i) => ({ name: `f${i}.txt`, reason: 'unsupported type' }));
    await putObject(
      bucket,
      `datasets/${seeded.datasetId}/batches/${seeded.operationId}/discovery.json`,
      discovery({ n_skipped: 1500, skipped }),
    );

    await handler({ input: executionInput(seeded) });

    const stored = await dataset(table, seeded.datasetId);
    expect(stored?.last_operation?.n_skipped).toBe(1501);
    expect(stored?.last_operation?.skipped).toEqual(skipped.slice(0, 100));
  });

  it('changes nothing and fails for an operation that no longer holds the lock', async () => {
    const seeded = await batchWithArtefacts();
    const before = await dataset(table, seeded.datasetId);
    const stale = { ...seeded, operationId: randomUUID() };
    const prefix = `datasets/${seeded.datasetId}/batches/${stale.operationId}/`;
    await putObject(bucket, `${prefix}discovery.json`, discovery());
    await putObject(bucket, `${prefix}assign.json`, { n_images: 3, n_videos: 1 });

    await expect(handler({ input: executionInput(stale) })).rejects.toMatchObject({ name: 'OperationSuperseded' });
    expect(await dataset(table, seeded.datasetId)).toEqual(before);
  });
});
