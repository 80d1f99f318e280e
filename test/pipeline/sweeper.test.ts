import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acquireDatasetLock, fencedDatasetUpdate } from '../../core/datasets/dataset-lock';
import {
  RESTART_MESSAGE,
  recoverInterruptedOperations,
  recoverStaleLocks,
} from '../../core/pipeline/stale-lock-recovery';
import type { DynamoKind, TestBucket, TestTable } from '../support/servers';
import {
  createPipelineTable,
  dataset,
  mediaSortKeys,
  objectKeys,
  putMedia,
  putObject,
  type Seeded,
  seedDataset,
  startPipelineServers,
} from './pipeline-fixtures';

const sfn = mockClient(SFNClient);
let table: TestTable;
let bucket: TestBucket;
let handler: typeof import('../../lambdas/sweeper/handler').handler;

beforeAll(async () => {
  ({ table, bucket } = await startPipelineServers());
  ({ handler } = await import('../../lambdas/sweeper/handler'));
});

const MINUTE = 60_000;
const addMediaExecution = (op: string) => `arn:aws:states:us-east-1:123456789012:execution:AddMedia:${op}`;
const reindexExecution = (op: string) => `arn:aws:states:us-east-1:123456789012:execution:Reindex:${op}`;
const describedArns = () => sfn.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input);

/** Locks left held by a test are released so the next test's scan sees only its own datasets. */
const stillLocked: Seeded[] = [];
beforeEach(() => {
  sfn.reset();
});
afterEach(async () => {
  for (const seeded of stillLocked.splice(0))
    await fencedDatasetUpdate(table.client, table.tableName, seeded.datasetId, seeded.operationId, {
      remove: ['active_task'],
    });
});

const lockedMinutesAgo = (minutes: number, taskType: 'MEDIA_ADDITION' | 'REINDEX' = 'MEDIA_ADDITION') =>
  seedDataset(table, {
    record: { status: taskType === 'REINDEX' ? 'PENDING_INDEX' : 'READY' },
    lock: { taskType, startedAt: new Date(Date.now() - minutes * MINUTE) },
  });

describe('sweeper Lambda', () => {
  it('leaves a running execution alone', async () => {
    const seeded = await lockedMinutesAgo(120);
    stillLocked.push(seeded);
    const before = await dataset(table, seeded.datasetId);
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    expect(await handler()).toEqual({ checked: 1, running: 1, recovered: [], errors: [] });

    expect(describedArns()).toEqual([{ executionArn: addMediaExecution(seeded.operationId) }]);
    expect(await dataset(table, seeded.datasetId)).toEqual(before);
  });

  it("recovers datasets whose execution ended, asking each task type's state machine", async () => {
    const failedAdd = await lockedMinutesAgo(30);
    const abortedReindex = await lockedMinutesAgo(30, 'REINDEX');
    await putMedia(table, failedAdd.datasetId, failedAdd.operationId, ['n1']);
    await putObject(bucket, `datasets/${failedAdd.datasetId}/batches/${failedAdd.operationId}/discovery.json`, '{}');
    sfn
      .on(DescribeExecutionCommand, { executionArn: addMediaExecution(failedAdd.operationId) })
      .resolves({ status: 'FAILED' })
      .on(DescribeExecutionCommand, { executionArn: reindexExecution(abortedReindex.operationId) })
      .resolves({ status: 'ABORTED' });

    const report = await handler();

    expect(report).toMatchObject({ checked: 2, running: 0, errors: [] });
    expect(describedArns()).toHaveLength(2);
    expect(describedArns()).toEqual(
      expect.arrayContaining([
        { executionArn: addMediaExecution(failedAdd.operationId) },
        { executionArn: reindexExecution(abortedReindex.operationId) },
      ]),
    );
    expect(await dataset(table, failedAdd.datasetId)).toMatchObject({
      status: 'ERROR',
      error: 'The pipeline execution failed',
    });
    expect(await dataset(table, abortedReindex.datasetId)).toMatchObject({
      status: 'ERROR',
      error: 'The pipeline execution was aborted',
    });
    expect((await dataset(table, failedAdd.datasetId))?.active_task).toBeUndefined();
    expect(await mediaSortKeys(table, failedAdd.datasetId)).toEqual([]);
    expect(await objectKeys(bucket, `datasets/${failedAdd.datasetId}/`)).toEqual([]);
  });

  it('recovers a lock whose execution never started once the grace period has passed', async () => {
    const seeded = await lockedMinutesAgo(16);
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    const report = await handler();

    expect(report).toMatchObject({
      checked: 1,
      recovered: [{ dataset_id: seeded.datasetId, execution_status: 'MISSING' }],
    });
    expect(describedArns()).toEqual([{ executionArn: addMediaExecution(seeded.operationId) }]);
    expect(await dataset(table, seeded.datasetId)).toMatchObject({
      status: 'ERROR',
      error: 'The pipeline execution never started',
    });
  });

  it('does not look at a lock younger than the grace period', async () => {
    const seeded = await lockedMinutesAgo(2);
    stillLocked.push(seeded);
    const before = await dataset(table, seeded.datasetId);

    expect(await handler()).toEqual({ checked: 0, running: 0, recovered: [], errors: [] });
    expect(describedArns()).toEqual([]);
    expect(await dataset(table, seeded.datasetId)).toEqual(before);
  });

  it('keeps a dataset locked when its execution cannot be described, and reports it', async () => {
    const seeded = await lockedMinutesAgo(60);
    stillLocked.push(seeded);
    const before = await dataset(table, seeded.datasetId);
    sfn.on(DescribeExecutionCommand).rejects(new Error('Rate exceeded'));

    const report = await handler();

    expect(report).toMatchObject({
      checked: 1,
      recovered: [],
      errors: [{ dataset_id: seeded.datasetId, error: 'Error: Rate exceeded' }],
    });
    expect(await dataset(table, seeded.datasetId)).toEqual(before);
  });
});

describe('recoverStaleLocks', () => {
  it('changes nothing when the lock changed hands while the execution was being described', async () => {
    const ownTable = await createPipelineTable();
    const stale = await seedDataset(ownTable, {
      lock: { taskType: 'MEDIA_ADDITION', startedAt: new Date(Date.now() - 60 * MINUTE) },
    });
    const newer = randomUUID();
    await putMedia(ownTable, stale.datasetId, stale.operationId, ['n1']);

    const report = await recoverStaleLocks({
      client: ownTable.client,
      tableName: ownTable.tableName,
      events: async () => undefined,
      now: new Date(),
      executionStatus: async () => {
        // Meanwhile the old execution's own mark-failed released the lock and a reindex took it.
        await fencedDatasetUpdate(ownTable.client, ownTable.tableName, stale.datasetId, stale.operationId, {
          set: { status: 'ERROR' },
          remove: ['active_task'],
        });
        await acquireDatasetLock(ownTable.client, ownTable.tableName, {
          datasetId: stale.datasetId,
          operationId: newer,
          taskType: 'REINDEX',
          allowedFrom: ['ERROR'],
          lockedStatus: 'INDEXING',
          requireEmbeddingConfig: false,
          now: new Date(),
        });
        return 'FAILED';
      },
    });

    expect(report.recovered).toEqual([
      {
        dataset_id: stale.datasetId,
        operation_id: stale.operationId,
        execution_status: 'FAILED',
        result: { released: false },
      },
    ]);
    expect(await dataset(ownTable, stale.datasetId)).toMatchObject({
      status: 'INDEXING',
      active_task: { operation_id: newer },
    });
    expect(await mediaSortKeys(ownTable, stale.datasetId)).toEqual([`${stale.operationId}#n1`]);
  });
});

describe('recoverInterruptedOperations (local runtime start)', () => {
  it.each<DynamoKind>(['dynamodb-local', 'dynalite'])(
    'on %s: fails every locked operation, leaves idle datasets alone',
    async (kind) => {
      const localTable = await createPipelineTable(kind);
      const justStarted = await seedDataset(localTable, { lock: { taskType: 'MEDIA_ADDITION' } });
      const reindexing = await seedDataset(localTable, {
        record: { status: 'PENDING_INDEX' },
        lock: { taskType: 'REINDEX' },
      });
      const idle = await seedDataset(localTable);
      await putMedia(localTable, justStarted.datasetId, justStarted.operationId, ['n1']);
      const idleBefore = await dataset(localTable, idle.datasetId);

      const report = await recoverInterruptedOperations({
        client: localTable.client,
        tableName: localTable.tableName,
        events: async () => undefined,
        now: new Date(),
      });

      expect(report).toMatchObject({ checked: 2, running: 0, errors: [] });
      for (const seeded of [justStarted, reindexing]) {
        const stored = await dataset(localTable, seeded.datasetId);
        expect(stored).toMatchObject({ status: 'ERROR', error: RESTART_MESSAGE, last_operation: { status: 'FAILED' } });
        expect(stored?.active_task).toBeUndefined();
      }
      expect(await mediaSortKeys(localTable, justStarted.datasetId)).toEqual([]);
      expect(await dataset(localTable, idle.datasetId)).toEqual(idleBefore);
    },
  );
});
