import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acquireDatasetLock, fencedDatasetUpdate, rollbackDatasetLock } from '../../core/datasets/dataset-lock';
import { getDataset, newDatasetRecord, putNewDataset } from '../../core/datasets/dataset-repository';
import { type DatasetStatus, OPERATIONS } from '../../core/datasets/dataset-status';
import { createTestTable, type DynamoKind, type TestTable } from '../support/servers';

const embeddingConfig = { model_id: 'test-model', dimension: 8 };

async function seedDataset(table: TestTable, overrides: Partial<Record<string, unknown>> = {}) {
  const id = randomUUID();
  await putNewDataset(table.client, table.tableName, {
    ...newDatasetRecord({ id, displayName: 'd', owner: 'alice', now: new Date(), embeddingConfig }),
    ...overrides,
  } as never);
  return id;
}

const addMediaLock = (datasetId: string, operationId = randomUUID()) => ({
  datasetId,
  operationId,
  taskType: OPERATIONS.add_media.taskType,
  allowedFrom: OPERATIONS.add_media.allowedFrom,
  lockedStatus: OPERATIONS.add_media.lockedStatus,
  requireEmbeddingConfig: true,
  now: new Date(),
});

describe.each<DynamoKind>(['dynamodb-local', 'dynalite'])('dataset lock on %s', (kind) => {
  let table: TestTable;
  it('creates its table', async () => {
    table = await createTestTable(kind);
  });

  it('gives the lock to exactly one of 50 concurrent callers', async () => {
    const id = await seedDataset(table);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => acquireDatasetLock(table.client, table.tableName, addMediaLock(id))),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const refusals = results.filter((r) => !r.acquired);
    expect(refusals).toHaveLength(49);
    for (const refusal of refusals) expect(refusal).toMatchObject({ reason: 'busy', taskType: 'MEDIA_ADDITION' });
    const stored = await getDataset(table.client, table.tableName, id);
    expect(stored).toMatchObject({ status: 'UPDATING', progress: 0, active_task: { type: 'MEDIA_ADDITION' } });
  });

  it('answers not_found for a missing dataset and creates nothing', async () => {
    const id = randomUUID();
    const result = await acquireDatasetLock(table.client, table.tableName, addMediaLock(id));
    expect(result).toEqual({ acquired: false, reason: 'not_found' });
    expect(await getDataset(table.client, table.tableName, id)).toBeUndefined();
  });

  it.each<[DatasetStatus, boolean]>([
    ['READY', true],
    ['PENDING_INDEX', true],
    ['ERROR', true],
    ['UPDATING', false],
    ['INDEXING', false],
  ])('add_media from %s without a task: acquired=%s', async (status, acquired) => {
    const id = await seedDataset(table, { status });
    const result = await acquireDatasetLock(table.client, table.tableName, addMediaLock(id));
    expect(result.acquired).toBe(acquired);
    if (!result.acquired) expect(result).toMatchObject({ reason: 'status', status });
  });

  it('refuses add_media on a dataset without embedding_config', async () => {
    const id = randomUUID();
    await putNewDataset(
      table.client,
      table.tableName,
      newDatasetRecord({ id, displayName: 'd', owner: 'alice', now: new Date() }),
    );
    const result = await acquireDatasetLock(table.client, table.tableName, addMediaLock(id));
    expect(result).toMatchObject({ acquired: false, reason: 'no_embedding_config' });
  });

  it('ignores a fenced write carrying a foreign or stale operation id', async () => {
    const id = await seedDataset(table);
    const holder = randomUUID();
    await acquireDatasetLock(table.client, table.tableName, addMediaLock(id, holder));
    const before = await getDataset(table.client, table.tableName, id);
    const foreign = await fencedDatasetUpdate(table.client, table.tableName, id, randomUUID(), {
      set: { status: 'READY', progress: 100 },
      remove: ['active_task'],
    });
    expect(foreign).toBe(false);
    expect(await getDataset(table.client, table.tableName, id)).toEqual(before);
    expect(await fencedDatasetUpdate(table.client, table.tableName, id, holder, { set: { progress: 40 } })).toBe(true);
    expect((await getDataset(table.client, table.tableName, id))?.progress).toBe(40);
  });

  it('rolls a lock back to exactly the item it replaced', async () => {
    const id = await seedDataset(table, { status: 'PENDING_INDEX', progress: 100 });
    const before = await getDataset(table.client, table.tableName, id);
    const operationId = randomUUID();
    const result = await acquireDatasetLock(table.client, table.tableName, addMediaLock(id, operationId));
    if (!result.acquired) throw new Error('expected the lock');
    expect(await rollbackDatasetLock(table.client, table.tableName, operationId, result.previous)).toBe(true);
    expect(await getDataset(table.client, table.tableName, id)).toEqual(before);
    expect(await rollbackDatasetLock(table.client, table.tableName, operationId, result.previous)).toBe(false);
  });
});
