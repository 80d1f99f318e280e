import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestBucket, TestTable } from '../support/servers';
import {
  ADD_MEDIA_MACHINE,
  dataset,
  discovery,
  executionInput,
  putObject,
  type Seeded,
  seedDataset,
  startPipelineServers,
} from './pipeline-fixtures';

/**
 * Every operation end is published on the default EventBridge bus (docs/API.md "Events"). There is no EventBridge
 * emulator: the handlers' SDK client talks to a stand-in endpoint here, which records each request exactly as the SDK
 * serialized it (AWS JSON 1.1) and answers like PutEvents.
 */
interface PutEventsRequest {
  readonly target: string | undefined;
  readonly body: {
    Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string; Time: number }[];
  };
}

let table: TestTable;
let bucket: TestBucket;
let endpoint: Server;
let requests: PutEventsRequest[] = [];
let refuseEntries = false;
let finalize: typeof import('../../lambdas/finalize/handler').handler;
let finishReindex: typeof import('../../lambdas/finish-reindex/handler').handler;
let markFailed: typeof import('../../lambdas/mark-failed/handler').handler;
let staleLock: typeof import('../../lambdas/stale-lock/handler').handler;

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const validDetail = ajv.compile(
  JSON.parse(readFileSync(new URL('../../docs/operation-event.schema.json', import.meta.url), 'utf8')),
);

beforeAll(async () => {
  ({ table, bucket } = await startPipelineServers());
  endpoint = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ target: request.headers['x-amz-target'] as string | undefined, body: JSON.parse(body) });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify(
          refuseEntries
            ? { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] }
            : { FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    OPERATION_EVENT_BUS: 'default',
    AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`,
  });
  ({ handler: finalize } = await import('../../lambdas/finalize/handler'));
  ({ handler: finishReindex } = await import('../../lambdas/finish-reindex/handler'));
  ({ handler: markFailed } = await import('../../lambdas/mark-failed/handler'));
  ({ handler: staleLock } = await import('../../lambdas/stale-lock/handler'));
});

afterAll(async () => {
  await new Promise((resolve) => endpoint?.close(resolve));
});

beforeEach(() => {
  requests = [];
  refuseEntries = false;
});

async function addedBatch(): Promise<Seeded> {
  const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
  const prefix = `datasets/${seeded.datasetId}/batches/${seeded.operationId}/`;
  await putObject(bucket, `${prefix}discovery.json`, discovery());
  await putObject(bucket, `${prefix}assign.json`, {
    n_images: 3,
    n_videos: 1,
    n_skipped: 1,
    n_duplicates: 1,
    skipped: [{ name: 'again.jpg', reason: 'already in the dataset (same bytes as media m1)' }],
    n_new_clusters: 2,
    n_joined: 2,
  });
  return seeded;
}

/** The one PutEvents call the step made: exactly this entry on the default bus, its detail valid against the schema. */
async function expectOnePutEvents(
  seeded: Seeded,
  detailType: string,
  detail: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const stored = (await dataset(table, seeded.datasetId))!;
  const operation = stored.last_operation!;
  expect(requests).toHaveLength(1);
  expect(requests[0]!.target).toBe('AWSEvents.PutEvents');
  expect(requests[0]!.body).toEqual({
    Entries: [
      {
        EventBusName: 'default',
        Source: 'add-media-api',
        DetailType: detailType,
        Detail: expect.any(String),
        Time: Date.parse(operation.finished_at!) / 1000,
      },
    ],
  });
  const published = JSON.parse(requests[0]!.body.Entries[0]!.Detail) as Record<string, unknown>;
  expect(published).toEqual({
    operation_id: seeded.operationId,
    dataset_id: seeded.datasetId,
    type: operation.type,
    phase: operation.phase ?? null,
    started_at: operation.started_at,
    finished_at: operation.finished_at,
    ...detail,
  });
  expect(validDetail(published), ajv.errorsText(validDetail.errors)).toBe(true);
  return published;
}

describe('operation-end events on the default bus', () => {
  it('finalize publishes "Operation Succeeded" with the counts when the add ends in PARTIAL INDEX', async () => {
    const seeded = await addedBatch();
    await finalize({ input: executionInput(seeded) });
    await expectOnePutEvents(seeded, 'Operation Succeeded', {
      status: 'SUCCEEDED',
      progress: 100,
      n_added: 4,
      n_skipped: 3,
      n_duplicates: 1,
      skipped: [
        { name: 'notes.txt', reason: 'unsupported type' },
        { name: 'fake.jpg', reason: 'content is not an image' },
        { name: 'again.jpg', reason: 'already in the dataset (same bytes as media m1)' },
      ],
      error: null,
      dataset_status: 'PENDING_INDEX',
      dataset_status_new: 'PARTIAL INDEX',
    });
  });

  it('finalize publishes nothing while an auto_reindex operation goes on to its clustering', async () => {
    const seeded = await addedBatch();
    await finalize({ input: executionInput(seeded, { auto_reindex: true }) });
    expect(requests).toEqual([]);
  });

  it('finish-reindex publishes "Operation Succeeded" with the dataset READY', async () => {
    const seeded = await seedDataset(table, {
      record: { status: 'PENDING_INDEX', clustering_state: 'partial' },
      lock: { taskType: 'REINDEX' },
    });
    await finishReindex({ input: executionInput(seeded, { operation: 'reindex', task_type: 'REINDEX' }) });
    await expectOnePutEvents(seeded, 'Operation Succeeded', {
      status: 'SUCCEEDED',
      progress: 100,
      n_added: null,
      n_skipped: null,
      n_duplicates: null,
      skipped: [],
      error: null,
      dataset_status: 'READY',
      dataset_status_new: 'READY',
    });
  });

  it('mark-failed publishes "Operation Failed" with the error the dataset shows', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    await markFailed({
      input: executionInput(seeded),
      error: {
        Error: 'States.TaskFailed',
        Cause: JSON.stringify({ errorMessage: 'the discover task ran out of memory' }),
      },
    });
    const stored = (await dataset(table, seeded.datasetId))!;
    expect(stored.status).toBe('ERROR');
    await expectOnePutEvents(seeded, 'Operation Failed', {
      status: 'FAILED',
      progress: stored.last_operation!.progress,
      n_added: null,
      n_skipped: null,
      n_duplicates: null,
      skipped: [],
      error: stored.error,
      dataset_status: 'ERROR',
      dataset_status_new: 'ERROR',
    });
  });

  it('stale-lock publishes "Operation Failed" for an operation whose execution died', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    const executionArn = `${ADD_MEDIA_MACHINE.replace(':stateMachine:', ':execution:')}:${seeded.operationId}`;
    await staleLock({
      version: '0',
      id: 'status-change-1',
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [executionArn],
      detail: {
        executionArn,
        stateMachineArn: ADD_MEDIA_MACHINE,
        name: seeded.operationId,
        status: 'TIMED_OUT',
        input: JSON.stringify(executionInput(seeded)),
      },
    });
    await expectOnePutEvents(seeded, 'Operation Failed', {
      status: 'FAILED',
      progress: 0,
      n_added: null,
      n_skipped: null,
      n_duplicates: null,
      skipped: [],
      error: 'The pipeline execution timed out',
      dataset_status: 'ERROR',
      dataset_status_new: 'ERROR',
    });
  });

  it('publishes again when a step is retried after its commit (at least once), and never for an operation it lost', async () => {
    const seeded = await addedBatch();
    await finalize({ input: executionInput(seeded) });
    const first = requests[0]!.body;
    requests = [];
    await finalize({ input: executionInput(seeded) });
    expect(requests.map((request) => request.body)).toEqual([first]);

    requests = [];
    await markFailed({ input: executionInput(seeded), error: { Error: 'States.TaskFailed', Cause: 'late' } });
    expect(requests).toEqual([]);
  });

  it('keeps the operation ended when EventBridge refuses the event', async () => {
    refuseEntries = true;
    const seeded = await addedBatch();
    expect(await finalize({ input: executionInput(seeded) })).toMatchObject({ status: 'PENDING_INDEX' });
    expect(requests).toHaveLength(1);
    expect((await dataset(table, seeded.datasetId))?.last_operation?.status).toBe('SUCCEEDED');
  });
});
