import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatasetStatus, STATUS_NEW, type TaskType } from '../../core/datasets/dataset-status';
import { createAddMediaHandler } from '../../lambdas/add-media/handler';
import type { ApiHandler } from '../../lambdas/http/api-handler';
import { createReindexHandler } from '../../lambdas/reindex/handler';
import { addMediaEvent, reindexEvent } from '../support/api-events';
import { makeImage } from '../support/media-fixtures';
import {
  type ApiTestBed,
  createApiTestBed,
  expectError,
  expectNothingLeft,
  mockPipelines,
  OWNER,
  readDataset,
  seedDataset,
  startedExecutions,
} from './api-test-bed';

type Operation = 'add_media' | 'reindex';
type Case = [Operation, DatasetStatus, TaskType | null, number, string | null];

const STATUSES: DatasetStatus[] = ['READY', 'UPDATING', 'PENDING_INDEX', 'INDEXING', 'ERROR'];
const TASKS: (TaskType | null)[] = [null, 'MEDIA_ADDITION', 'REINDEX', 'INITIAL_INDEX'];
/** API.md "Dataset status": where each operation may start (ERROR is our extension). */
const ALLOWED: Record<Operation, DatasetStatus[]> = {
  add_media: ['READY', 'PENDING_INDEX', 'ERROR'],
  reindex: ['PENDING_INDEX', 'ERROR'],
};

/** Expected answer of every operation × status × running task: a running task blocks, else the status decides. */
const CASES: Case[] = (['add_media', 'reindex'] as const).flatMap((operation) =>
  STATUSES.flatMap((status) =>
    TASKS.map((task): Case => {
      if (task)
        return [operation, status, task, 409, `Operation '${operation}' is blocked while ${task} task is running`];
      if (ALLOWED[operation].includes(status)) return [operation, status, null, 202, null];
      return [
        operation,
        status,
        null,
        409,
        `Operation '${operation}' is not allowed while dataset status is ${STATUS_NEW[status]}`,
      ];
    }),
  ),
);

let bed: ApiTestBed;
let handlers: Record<Operation, ApiHandler>;
let jpeg: Buffer;

beforeAll(async () => {
  bed = await createApiTestBed();
  handlers = { add_media: createAddMediaHandler(() => bed.context), reindex: createReindexHandler(() => bed.context) };
  jpeg = await makeImage({ seed: 3, width: 8, height: 8 });
});
beforeEach(mockPipelines);

describe('status rules of add_media and reindex', () => {
  it('covers every combination', () => expect(CASES).toHaveLength(40));

  it.each(CASES)('%s on a %s dataset with task %s answers %i', async (operation, status, task, statusCode, detail) => {
    const activeTask = task
      ? { type: task, operation_id: 'op-running', started_at: '2024-01-01T00:00:00.000Z' }
      : undefined;
    const id = await seedDataset(bed, { status, active_task: activeTask });
    const before = await readDataset(bed, id);
    const event =
      operation === 'add_media'
        ? addMediaEvent(id, [{ name: 'files[]', filename: 'a.jpg', content: jpeg }], OWNER)
        : reindexEvent(id, OWNER);
    const response = await handlers[operation](event);

    if (detail !== null) {
      expectError(response, statusCode, detail);
      await expectNothingLeft(bed, id, before);
      return;
    }
    expect(response.statusCode).toBe(202);
    const operationId = response.headers?.['X-Operation-Id'];
    expect(await readDataset(bed, id)).toMatchObject({
      status: operation === 'add_media' ? 'UPDATING' : 'INDEXING',
      active_task: { type: operation === 'add_media' ? 'MEDIA_ADDITION' : 'REINDEX', operation_id: operationId },
    });
    expect(startedExecutions().map((execution) => execution.name)).toEqual([operationId]);
  });
});
