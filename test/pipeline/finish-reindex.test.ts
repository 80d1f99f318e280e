import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestTable } from '../support/servers';
import { dataset, EMBEDDING_CONFIG, executionInput, seedDataset, startPipelineServers } from './pipeline-fixtures';

let table: TestTable;
let handler: typeof import('../../lambdas/finish-reindex/handler').handler;

beforeAll(async () => {
  ({ table } = await startPipelineServers());
  ({ handler } = await import('../../lambdas/finish-reindex/handler'));
});

const reindexInput = (seeded: { datasetId: string; operationId: string }) => ({
  dataset_id: seeded.datasetId,
  operation_id: seeded.operationId,
  operation: 'reindex',
  task_type: 'REINDEX',
  caller: 'alice',
  use_spot: null,
});

describe('finish-reindex Lambda', () => {
  it('commits the new clustering and ends the operation in READY', async () => {
    const seeded = await seedDataset(table, {
      record: { status: 'PENDING_INDEX', clustering_state: 'partial' },
      lock: { taskType: 'REINDEX' },
    });

    expect(await handler({ input: reindexInput(seeded) })).toEqual({
      status: 'READY',
      clustering_id: seeded.operationId,
    });

    const stored = await dataset(table, seeded.datasetId);
    expect(stored).toMatchObject({
      status: 'READY',
      clustering_id: seeded.operationId,
      clustering_state: 'full',
      progress: 100,
      embedding_config: EMBEDDING_CONFIG,
      last_operation: { type: 'REINDEX', status: 'SUCCEEDED', finished_at: expect.any(String) },
    });
    expect(stored?.active_task).toBeUndefined();
  });

  it('sets the embedding config of an initial indexing from the execution input', async () => {
    const seeded = await seedDataset(table, {
      record: { embedding_config: undefined, batches: [], clustering_id: undefined, n_images: 0, n_videos: 0 },
      lock: { taskType: 'INITIAL_INDEX' },
    });
    const input = executionInput(seeded, {
      operation: 'initial_index',
      task_type: 'INITIAL_INDEX',
      auto_reindex: true,
    });

    await handler({ input });

    expect(await dataset(table, seeded.datasetId)).toMatchObject({
      status: 'READY',
      clustering_id: seeded.operationId,
      embedding_config: EMBEDDING_CONFIG,
    });
  });

  it('keeps an existing embedding config', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    await handler({
      input: executionInput(seeded, { auto_reindex: true, embedding_config: { model_id: 'other', dimension: 3 } }),
    });
    expect((await dataset(table, seeded.datasetId))?.embedding_config).toEqual(EMBEDDING_CONFIG);
  });

  it('succeeds without writing when retried after committing', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'REINDEX' } });
    await handler({ input: reindexInput(seeded) });
    const committed = await dataset(table, seeded.datasetId);

    expect(await handler({ input: reindexInput(seeded) })).toEqual({
      status: 'READY',
      clustering_id: seeded.operationId,
    });
    expect(await dataset(table, seeded.datasetId)).toEqual(committed);
  });

  it('changes nothing and fails for an operation that no longer holds the lock', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'REINDEX' } });
    const before = await dataset(table, seeded.datasetId);

    await expect(handler({ input: reindexInput({ ...seeded, operationId: randomUUID() }) })).rejects.toMatchObject({
      name: 'OperationSuperseded',
    });
    expect(await dataset(table, seeded.datasetId)).toEqual(before);
  });
});
