import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireDatasetLock } from '../../core/datasets/dataset-lock';
import { OPERATIONS, type OperationName } from '../../core/datasets/dataset-status';
import { commitBatch, completeReindex, failOperation, recordPlan } from '../../core/pipeline/operation-commit';
import { createGetOperationHandler } from '../../lambdas/get-operation/handler';
import type { ApiHandler } from '../../lambdas/http/api-handler';
import { createListOperationsHandler } from '../../lambdas/list-operations/handler';
import { getOperationEvent, listOperationsEvent } from '../support/api-events';
import { type ApiTestBed, createApiTestBed, expectError, OWNER, READER, STRANGER, seedDataset } from './api-test-bed';

let bed: ApiTestBed;
let getOperation: ApiHandler;
let listOperations: ApiHandler;

interface Operation {
  operation_id: string;
  type: string;
  status: string;
  phase: string | null;
  progress: number;
  n_added: number | null;
  n_skipped: number | null;
  skipped: { name: string; reason: string }[];
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

const bodyOf = <T>(response: APIGatewayProxyResult): T => {
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body) as T;
};

beforeAll(async () => {
  bed = await createApiTestBed();
  getOperation = createGetOperationHandler(() => bed.context);
  listOperations = createListOperationsHandler(() => bed.context);
});

/** The events of these operations are test/pipeline/operation-events.test.ts's concern. */
const target = () => ({ client: bed.table.client, tableName: bed.table.tableName, events: async () => undefined });
let clock = Date.parse('2025-01-01T00:00:00.000Z');
const tick = () => new Date((clock += 1000));

async function start(datasetId: string, operation: OperationName): Promise<string> {
  const operationId = randomUUID();
  const { taskType, allowedFrom, lockedStatus } = OPERATIONS[operation];
  const lock = await acquireDatasetLock(bed.table.client, bed.table.tableName, {
    datasetId,
    operationId,
    taskType,
    allowedFrom,
    lockedStatus,
    requireEmbeddingConfig: operation === 'add_media',
    now: tick(),
  });
  expect(lock.acquired).toBe(true);
  return operationId;
}

const read = async (datasetId: string, operationId: string) =>
  bodyOf<Operation>(await getOperation(getOperationEvent(datasetId, operationId, {}, READER)));

const setShards = (datasetId: string, done: number) =>
  bed.table.client.send(
    new UpdateCommand({
      TableName: bed.table.tableName,
      Key: { pk: `DS#${datasetId}`, sk: 'META' },
      UpdateExpression: 'SET shards_done = :d, progress = :p',
      ExpressionAttributeValues: { ':d': done, ':p': 5 + Math.floor((85 * done) / 2) },
    }),
  );

describe('GET /api/v1/dataset/{id}/operations/{operation_id}', () => {
  it('follows an auto_reindex add through its phases with a progress that never goes back', async () => {
    const id = await seedDataset(bed);
    const op = await start(id, 'add_media');
    const seen: Operation[] = [await read(id, op)];
    await recordPlan(target(), { datasetId: id, operationId: op, now: tick(), shardsTotal: 2 });
    seen.push(await read(id, op));
    await setShards(id, 1);
    seen.push(await read(id, op));
    await setShards(id, 2);
    seen.push(await read(id, op));
    await commitBatch(target(), {
      datasetId: id,
      operationId: op,
      now: tick(),
      added: { n_images: 3, n_videos: 0 },
      skipped: { count: 1, items: [{ name: 'notes.txt', reason: 'unsupported type' }] },
      autoReindex: true,
    });
    seen.push(await read(id, op));
    await completeReindex(target(), { datasetId: id, operationId: op, now: tick() });
    seen.push(await read(id, op));

    expect(seen.map((o) => [o.status, o.phase])).toEqual([
      ['RUNNING', 'discover'],
      ['RUNNING', 'embed'],
      ['RUNNING', 'embed'],
      ['RUNNING', 'assign'],
      ['RUNNING', 'cluster'],
      ['SUCCEEDED', 'cluster'],
    ]);
    const progress = seen.map((o) => o.progress);
    expect(progress).toEqual([0, 5, 47, 90, 90, 100]);
    expect(seen.at(-1)).toMatchObject({
      operation_id: op,
      type: 'MEDIA_ADDITION',
      n_added: 3,
      n_skipped: 1,
      skipped: [{ name: 'notes.txt', reason: 'unsupported type' }],
      error: null,
      finished_at: expect.any(String),
    });
  });

  it('keeps finished operations readable after later ones, failed ones with their error and phase', async () => {
    const id = await seedDataset(bed);
    const add = await start(id, 'add_media');
    await recordPlan(target(), { datasetId: id, operationId: add, now: tick(), shardsTotal: 1 });
    await commitBatch(target(), {
      datasetId: id,
      operationId: add,
      now: tick(),
      added: { n_images: 2, n_videos: 1 },
      skipped: { count: 0, items: [] },
      autoReindex: false,
    });
    const reindex = await start(id, 'reindex');
    await failOperation(target(), { datasetId: id, operationId: reindex, now: tick(), message: 'clustering failed' });

    expect(await read(id, add)).toMatchObject({ status: 'SUCCEEDED', phase: 'embed', progress: 100, n_added: 3 });
    expect(await read(id, reindex)).toMatchObject({
      type: 'REINDEX',
      status: 'FAILED',
      phase: 'cluster',
      error: 'clustering failed',
      n_added: null,
    });
  });

  it('answers 404 for an unknown or foreign operation, and for a dataset the caller cannot read', async () => {
    const id = await seedDataset(bed);
    const other = await seedDataset(bed);
    const foreign = await start(other, 'add_media');
    for (const operationId of [randomUUID(), foreign, 'not an id']) {
      expectError(await getOperation(getOperationEvent(id, operationId, {}, OWNER)), 404, 'Operation not found');
    }
    expectError(await getOperation(getOperationEvent(other, foreign, {}, STRANGER)), 404, 'Dataset not found');
    expectError(
      await getOperation(getOperationEvent(other, foreign, { verbose: '1' }, OWNER)),
      400,
      "Unknown query parameter 'verbose'; this route takes none",
    );
  });
});

describe('GET /api/v1/dataset/{id}/operations', () => {
  it('lists operations newest first, the running one included, page by page', async () => {
    const id = await seedDataset(bed, { status: 'PENDING_INDEX' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const op = await start(id, 'reindex');
      ids.push(op);
      await completeReindex(target(), { datasetId: id, operationId: op, now: tick() });
      await bed.table.client.send(
        new UpdateCommand({
          TableName: bed.table.tableName,
          Key: { pk: `DS#${id}`, sk: 'META' },
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': 'PENDING_INDEX' },
        }),
      );
    }
    ids.push(await start(id, 'reindex'));
    const expected = [...ids].reverse();

    const all = bodyOf<{ items: Operation[]; next_cursor: string | null }>(
      await listOperations(listOperationsEvent(id, {}, READER)),
    );
    expect(all.items.map((o) => o.operation_id)).toEqual(expected);
    expect(all.items.map((o) => o.status)).toEqual(['RUNNING', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(all.next_cursor).toBeNull();

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = bodyOf<{ items: Operation[]; next_cursor: string | null }>(
        await listOperations(listOperationsEvent(id, { limit: '1', ...(cursor ? { cursor } : {}) }, READER)),
      );
      paged.push(...page.items.map((o) => o.operation_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(expected);

    expectError(await listOperations(listOperationsEvent(id, {}, STRANGER)), 404, 'Dataset not found');
    expectError(
      await listOperations(listOperationsEvent(id, { cursor: 'bogus' }, READER)),
      400,
      "Query parameter 'cursor' is not a cursor of this listing",
    );
  });
});
