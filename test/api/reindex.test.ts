import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import type { ApiHandler } from '../../lambdas/http/api-handler';
import { createReindexHandler } from '../../lambdas/reindex/handler';
import { reindexEvent } from '../support/api-events';
import {
  type ApiTestBed,
  createApiTestBed,
  EMBEDDING_CONFIG,
  expectError,
  expectNothingLeft,
  mockPipelines,
  OWNER,
  READER,
  REINDEX_MACHINE,
  readDataset,
  STRANGER,
  seedDataset,
  sfnMock,
  startedExecutions,
  WRITER,
} from './api-test-bed';

let bed: ApiTestBed;
let reindex: ApiHandler;

beforeAll(async () => {
  bed = await createApiTestBed();
  reindex = createReindexHandler(() => bed.context);
});
beforeEach(mockPipelines);

describe('POST /api/v1/dataset/{id}/reindex', () => {
  it('locks a PARTIAL INDEX dataset and starts the reindex execution with the exact input', async () => {
    const id = await seedDataset(bed, { status: 'PENDING_INDEX', clustering_state: 'partial' });
    const response = await reindex(reindexEvent(id, WRITER));
    expect(response).toMatchObject({ statusCode: 202, body: '' });
    expect(response.headers?.Location).toBe(`/api/v1/dataset/${id}`);
    const operationId = response.headers?.['X-Operation-Id'];
    expect(response.headers?.['Operation-Location']).toBe(`/api/v1/dataset/${id}/operations/${operationId}`);
    expect(startedExecutions()).toEqual([
      {
        stateMachineArn: REINDEX_MACHINE,
        name: operationId,
        input: {
          dataset_id: id,
          operation_id: operationId,
          operation: 'reindex',
          task_type: 'REINDEX',
          caller: WRITER.sub,
          use_spot: null,
          embedding_config: EMBEDDING_CONFIG,
        },
      },
    ]);
    expect(await readDataset(bed, id)).toMatchObject({
      status: 'INDEXING',
      active_task: { type: 'REINDEX', operation_id: operationId },
    });
  });

  it('reindexes an ERROR dataset whose initial index never set an embedding config with the deployment default', async () => {
    const id = await seedDataset(bed, { status: 'ERROR', embedding_config: undefined });
    const response = await reindex(reindexEvent(id, WRITER));
    expect(response.statusCode).toBe(202);
    expect(startedExecutions()[0]?.input).toMatchObject({ embedding_config: DEFAULT_EMBEDDING_CONFIG });
  });

  it('answers 404 for a missing or unreadable dataset and 403 to a reader, changing nothing', async () => {
    const missing = randomUUID();
    expectError(await reindex(reindexEvent(missing, OWNER)), 404, 'Dataset not found');
    await expectNothingLeft(bed, missing, undefined);
    const id = await seedDataset(bed, { status: 'PENDING_INDEX' });
    const before = await readDataset(bed, id);
    expectError(await reindex(reindexEvent(id, STRANGER)), 404, 'Dataset not found');
    expectError(await reindex(reindexEvent(id, READER)), 403, `User does not have write access to dataset ${id}`);
    await expectNothingLeft(bed, id, before);
  });

  it('answers 500 when StartExecution fails and gives the dataset back exactly as it was', async () => {
    const id = await seedDataset(bed, { status: 'ERROR', error: 'embedding failed', progress: 40 });
    const before = await readDataset(bed, id);
    sfnMock.on(StartExecutionCommand).rejects(new Error('AccessDenied'));
    expectError(await reindex(reindexEvent(id, OWNER)), 500, 'Failed to start reindex pipeline');
    expect(await readDataset(bed, id)).toEqual(before);
  });

  it('replays a repeat with the same Idempotency-Key instead of answering 409', async () => {
    const id = await seedDataset(bed, { status: 'PENDING_INDEX' });
    const key = randomUUID();
    const first = await reindex(reindexEvent(id, OWNER, { 'Idempotency-Key': key }));
    const second = await reindex(reindexEvent(id, OWNER, { 'Idempotency-Key': key }));
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(second.headers?.['X-Operation-Id']).toBe(first.headers?.['X-Operation-Id']);
    expect(startedExecutions()).toHaveLength(1);
    const withoutKey = await reindex(reindexEvent(id, OWNER));
    expectError(withoutKey, 409, "Operation 'reindex' is blocked while REINDEX task is running");
  });
});
