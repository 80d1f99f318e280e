import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireDatasetLock } from '../../core/datasets/dataset-lock';
import type { TestBucket, TestTable } from '../support/servers';
import {
  ADD_MEDIA_MACHINE,
  dataset,
  executionInput,
  mediaSortKeys,
  objectKeys,
  putMedia,
  putObject,
  REINDEX_MACHINE,
  type Seeded,
  seedDataset,
  startPipelineServers,
} from './pipeline-fixtures';

let table: TestTable;
let bucket: TestBucket;
let handler: typeof import('../../lambdas/stale-lock/handler').handler;

beforeAll(async () => {
  ({ table, bucket } = await startPipelineServers());
  ({ handler } = await import('../../lambdas/stale-lock/handler'));
});

/** The EventBridge event Step Functions emits when an execution ends. */
function statusEvent(seeded: Seeded, status: string, detail: Record<string, unknown> = {}) {
  const stateMachineArn = (detail.stateMachineArn as string | undefined) ?? ADD_MEDIA_MACHINE;
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${seeded.operationId}`;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn,
      name: seeded.operationId,
      status,
      startDate: Date.now() - 60_000,
      stopDate: Date.now(),
      input: JSON.stringify(executionInput(seeded)),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
      ...detail,
    },
  };
}

async function lockedWithBatch(): Promise<Seeded> {
  const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
  await putMedia(table, seeded.datasetId, seeded.operationId, ['n1']);
  await putObject(bucket, `datasets/${seeded.datasetId}/batches/${seeded.operationId}/discovery.json`, '{}');
  return seeded;
}

describe('stale-lock Lambda', () => {
  it.each([
    ['FAILED', 'The pipeline execution failed'],
    ['TIMED_OUT', 'The pipeline execution timed out'],
    ['ABORTED', 'The pipeline execution was aborted'],
  ])('releases the lock of a %s execution and removes its uncommitted batch', async (status, message) => {
    const seeded = await lockedWithBatch();

    const outcome = await handler(statusEvent(seeded, status));

    expect(outcome).toMatchObject({ recovered: true, dataset_id: seeded.datasetId, operation_id: seeded.operationId });
    const stored = await dataset(table, seeded.datasetId);
    expect(stored).toMatchObject({
      status: 'ERROR',
      error: message,
      last_operation: { status: 'FAILED', error: message },
    });
    expect(stored?.active_task).toBeUndefined();
    expect(await mediaSortKeys(table, seeded.datasetId)).toEqual([]);
    expect(await objectKeys(bucket, `datasets/${seeded.datasetId}/`)).toEqual([]);
  });

  it('records the error the execution ended with', async () => {
    const seeded = await lockedWithBatch();
    await handler(
      statusEvent(seeded, 'FAILED', { error: 'States.TaskFailed', cause: '{"error": "Archive is not a valid zip"}' }),
    );
    expect(await dataset(table, seeded.datasetId)).toMatchObject({
      status: 'ERROR',
      error: 'Archive is not a valid zip',
    });
  });

  it('recovers reindex executions too', async () => {
    const seeded = await seedDataset(table, { record: { status: 'PENDING_INDEX' }, lock: { taskType: 'REINDEX' } });
    const outcome = await handler(statusEvent(seeded, 'TIMED_OUT', { stateMachineArn: REINDEX_MACHINE }));
    expect(outcome).toMatchObject({ recovered: true });
    expect(await dataset(table, seeded.datasetId)).toMatchObject({ status: 'ERROR', clustering_id: 'c0', n_images: 2 });
  });

  it('changes nothing on a duplicate event', async () => {
    const seeded = await lockedWithBatch();
    const event = statusEvent(seeded, 'FAILED');
    await handler(event);
    const after = await dataset(table, seeded.datasetId);

    expect(await handler(event)).toEqual({
      recovered: false,
      reason: `operation ${seeded.operationId} no longer holds dataset ${seeded.datasetId}`,
    });
    expect(await dataset(table, seeded.datasetId)).toEqual(after);
  });

  it('changes nothing when an ABORTED event arrives after a newer operation took the lock', async () => {
    const old = await lockedWithBatch();
    await handler(statusEvent(old, 'FAILED'));
    const newer = await acquireDatasetLock(table.client, table.tableName, {
      datasetId: old.datasetId,
      operationId: randomUUID(),
      taskType: 'REINDEX',
      allowedFrom: ['ERROR'],
      lockedStatus: 'INDEXING',
      requireEmbeddingConfig: false,
      now: new Date(),
    });
    expect(newer.acquired).toBe(true);
    await putMedia(table, old.datasetId, old.operationId, ['late']);
    const before = await dataset(table, old.datasetId);

    expect(await handler(statusEvent(old, 'ABORTED'))).toMatchObject({ recovered: false });
    expect(await dataset(table, old.datasetId)).toEqual(before);
    expect(await mediaSortKeys(table, old.datasetId)).toEqual([`${old.operationId}#late`]);
  });

  it.each([
    [
      'an execution of another state machine',
      { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Other' },
      'FAILED',
    ],
    ['a SUCCEEDED execution', {}, 'SUCCEEDED'],
    ['an event without the execution input', { input: null }, 'FAILED'],
  ])('ignores %s', async (_what, detail, status) => {
    const seeded = await lockedWithBatch();
    const before = await dataset(table, seeded.datasetId);
    expect(await handler(statusEvent(seeded, status, detail))).toMatchObject({
      recovered: false,
      reason: expect.any(String),
    });
    expect(await dataset(table, seeded.datasetId)).toEqual(before);
  });

  it('rejects an event that is not an execution status change', async () => {
    await expect(handler({ 'detail-type': 'Scheduled Event', detail: {} })).rejects.toMatchObject({
      name: 'InvalidPipelineEvent',
    });
  });
});
