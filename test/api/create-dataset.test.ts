import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import { createAddMediaHandler } from '../../lambdas/add-media/handler';
import { createCreateDatasetHandler } from '../../lambdas/create-dataset/handler';
import type { ApiHandler } from '../../lambdas/http/api-handler';
import { createListDatasetsHandler } from '../../lambdas/list-datasets/handler';
import { addMediaEvent, createDatasetEvent, listDatasetsEvent, type MultipartPart } from '../support/api-events';
import { makeImage } from '../support/media-fixtures';
import {
  ADD_MEDIA_MACHINE,
  type ApiTestBed,
  createApiTestBed,
  expectError,
  mockPipelines,
  putSourceObject,
  readDataset,
  sfnMock,
  stagedKeys,
  startedExecutions,
} from './api-test-bed';

let bed: ApiTestBed;
let create: ApiHandler;
let listDatasets: ApiHandler;
let jpeg: Buffer;

const idOf = (response: APIGatewayProxyResult) => (JSON.parse(response.body) as { id: string }).id;
const newCaller = () => ({ sub: `creator-${randomUUID()}` });

beforeAll(async () => {
  bed = await createApiTestBed();
  create = createCreateDatasetHandler(() => bed.context);
  listDatasets = createListDatasetsHandler(() => bed.context);
  jpeg = await makeImage({ seed: 4, width: 16, height: 16 });
});
beforeEach(mockPipelines);

describe('POST /api/v1/datasets', () => {
  it.each<[string, Parameters<typeof createDatasetEvent>[0]]>([
    ['a JSON body', { json: { display_name: '  Holiday photos ' } }],
    ['a multipart form without media', { parts: [{ name: 'display_name', value: 'Holiday photos' }] }],
  ])('creates an empty READY dataset without embedding config from %s', async (_, body) => {
    const caller = newCaller();
    const response = await create(createDatasetEvent(body, caller));
    expect(response.statusCode).toBe(202);
    const id = idOf(response);
    expect(response.headers?.Location).toBe(`/api/v1/dataset/${id}`);
    expect(response.headers?.['X-Operation-Id']).toBeUndefined();
    const stored = await readDataset(bed, id);
    expect(stored).toMatchObject({
      id,
      display_name: 'Holiday photos',
      owner: caller.sub,
      status: 'READY',
      n_images: 0,
      batches: [],
    });
    expect(stored?.embedding_config).toBeUndefined();
    expect(stored?.active_task).toBeUndefined();
    expect(startedExecutions()).toEqual([]);

    const addMedia = createAddMediaHandler(() => bed.context);
    expectError(
      await addMedia(addMediaEvent(id, [{ name: 'files[]', filename: 'a.jpg', content: jpeg }], caller)),
      400,
      `Dataset ${id} has no embedding_config; index it at least once before adding media`,
    );
  });

  it('creates a dataset locked by its initial index and starts the add-media workflow on the uploads', async () => {
    const caller = newCaller();
    const response = await create(
      createDatasetEvent(
        {
          parts: [
            { name: 'display_name', value: 'Fresh' },
            { name: 'files[]', filename: 'a.jpg', content: jpeg },
            { name: 'files[]', filename: 'b.jpg', content: jpeg },
            { name: 'use_spot', value: 'true' },
          ],
        },
        caller,
      ),
    );
    expect(response.statusCode).toBe(202);
    const id = idOf(response);
    const operationId = response.headers?.['X-Operation-Id'];
    expect(await readDataset(bed, id)).toMatchObject({
      status: 'INDEXING',
      owner: caller.sub,
      active_task: { type: 'INITIAL_INDEX', operation_id: operationId },
      last_operation: { type: 'INITIAL_INDEX', operation_id: operationId, status: 'RUNNING' },
    });
    expect(await stagedKeys(bed, id)).toEqual([
      `staging/${id}/${operationId}/files/0-a.jpg`,
      `staging/${id}/${operationId}/files/1-b.jpg`,
    ]);
    expect(startedExecutions()).toEqual([
      {
        stateMachineArn: ADD_MEDIA_MACHINE,
        name: operationId,
        input: {
          dataset_id: id,
          operation_id: operationId,
          operation: 'initial_index',
          task_type: 'INITIAL_INDEX',
          caller: caller.sub,
          source: { kind: 'staged_files', uri: `s3://${bed.bucket.bucket}/staging/${id}/${operationId}/files/` },
          auto_reindex: true,
          assume_role: null,
          use_spot: true,
          overrides: { batch_n_images: null, batch_n_videos: null, batch_n_objects: null },
          embedding_config: DEFAULT_EMBEDDING_CONFIG,
        },
      },
    ]);
  });

  it('creates from an S3 folder after checking it', async () => {
    const caller = newCaller();
    const folder = `create-${randomUUID()}/`;
    const uri = `s3://${bed.sourceBucket.bucket}/${folder}`;
    const parts: MultipartPart[] = [
      { name: 'display_name', value: 'From S3' },
      { name: 's3_uri', value: uri },
    ];
    expectError(
      await create(createDatasetEvent({ parts }, caller)),
      400,
      `Invalid S3 URI or no media files found at ${uri}`,
    );
    expect(JSON.parse((await listDatasets(listDatasetsEvent(caller))).body)).toEqual([]);
    await putSourceObject(bed, `${folder}x.jpg`, jpeg);
    const response = await create(createDatasetEvent({ parts }, caller));
    expect(response.statusCode).toBe(202);
    expect(startedExecutions()[0]?.input).toMatchObject({
      dataset_id: idOf(response),
      source: { kind: 's3_uri', uri },
    });
  });

  it('deletes the new dataset and its staged uploads when the execution cannot start', async () => {
    const caller = newCaller();
    const stagingBefore = await allStagedKeys();
    sfnMock.on(StartExecutionCommand).rejects(new Error('ServiceUnavailable'));
    const response = await create(
      createDatasetEvent(
        {
          parts: [
            { name: 'display_name', value: 'Doomed' },
            { name: 'files[]', filename: 'a.jpg', content: jpeg },
          ],
        },
        caller,
      ),
    );
    expectError(response, 500, 'Failed to start media processing pipeline');
    expect(JSON.parse((await listDatasets(listDatasetsEvent(caller))).body)).toEqual([]);
    expect(await allStagedKeys()).toEqual(stagingBefore);
  });

  it('returns the same dataset for a repeated Idempotency-Key', async () => {
    const caller = newCaller();
    const key = randomUUID();
    const first = await create(
      createDatasetEvent({ json: { display_name: 'Once' } }, caller, { 'Idempotency-Key': key }),
    );
    const second = await create(
      createDatasetEvent({ json: { display_name: 'Once' } }, caller, { 'Idempotency-Key': key }),
    );
    expect(idOf(second)).toBe(idOf(first));
    expect(JSON.parse((await listDatasets(listDatasetsEvent(caller))).body)).toHaveLength(1);
  });

  it.each<[string, Parameters<typeof createDatasetEvent>[0], string | RegExp]>([
    [
      'no display_name',
      { parts: [{ name: 'files[]', filename: 'a.jpg', content: Buffer.from('x') }] },
      "Field 'display_name' is required (1 to 200 characters)",
    ],
    [
      'a blank display_name',
      { json: { display_name: '   ' } },
      "Field 'display_name' is required (1 to 200 characters)",
    ],
    [
      'a display_name that is not a string',
      { json: { display_name: 42 } },
      "Field 'display_name' is required (1 to 200 characters)",
    ],
    [
      'a JSON body with media fields',
      { json: { display_name: 'x', s3_uri: 's3://b-x/a/' } },
      /^Unknown field 's3_uri': a JSON body creates an empty dataset/,
    ],
    [
      'a JSON body with a mistyped display_name',
      { json: { displayname: 'x' } },
      /^Unknown field 'displayname' \(did you mean 'display_name'\?\): a JSON body/,
    ],
    ['a JSON array', { json: ['x'] }, 'Malformed JSON body'],
    [
      'auto_reindex, which a create does not take',
      {
        parts: [
          { name: 'display_name', value: 'x' },
          { name: 'auto_reindex', value: 'true' },
        ],
      },
      "Unknown field 'auto_reindex'; known fields: files[], archive, s3_uri, display_name, similarity_threshold, assume_role, batch_n_videos, batch_n_images, batch_n_objects, use_spot",
    ],
    [
      'two sources',
      {
        parts: [
          { name: 'display_name', value: 'x' },
          { name: 's3_uri', value: 's3://b-x/a/' },
          { name: 'archive', filename: 'a.zip', content: Buffer.from('x') },
        ],
      },
      'Exactly one media source must be provided: files[], s3_uri, or archive',
    ],
  ])('answers 400 for %s and creates nothing', async (_, body, detail) => {
    const caller = newCaller();
    expectError(await create(createDatasetEvent(body, caller)), 400, detail);
    expect(JSON.parse((await listDatasets(listDatasetsEvent(caller))).body)).toEqual([]);
    expect(startedExecutions()).toEqual([]);
  });

  it('keeps a similarity_threshold asked for at creation and indexes with it', async () => {
    const empty = idOf(
      await create(createDatasetEvent({ json: { display_name: 'x', similarity_threshold: 0.8 } }, newCaller())),
    );
    expect(await readDataset(bed, empty)).toMatchObject({ similarity_threshold: 0.8 });

    const withMedia = idOf(
      await create(
        createDatasetEvent(
          {
            parts: [
              { name: 'display_name', value: 'x' },
              { name: 'similarity_threshold', value: '0.75' },
              { name: 'files[]', filename: 'a.jpg', content: jpeg },
            ],
          },
          newCaller(),
        ),
      ),
    );
    const { input } = startedExecutions()[0]!;
    expect(input.dataset_id).toBe(withMedia);
    expect(input.embedding_config).toEqual({ ...DEFAULT_EMBEDDING_CONFIG, similarity_threshold: 0.75 });
  });

  it.each<[unknown]>([[0], [1.5], ['0.8'], [-0.2]])('answers 400 for similarity_threshold %j', async (value) => {
    expectError(
      await create(createDatasetEvent({ json: { display_name: 'x', similarity_threshold: value } }, newCaller())),
      400,
      "Field 'similarity_threshold' must be a number above 0 and at most 1 (cosine similarity)",
    );
  });

  it('answers 400 for a body that is neither multipart nor JSON', async () => {
    const event = createDatasetEvent({ json: { display_name: 'x' } }, newCaller(), { 'Content-Type': 'text/plain' });
    expectError(
      await create(event),
      400,
      "Content-Type must be multipart/form-data or application/json (got 'text/plain')",
    );
  });
});

async function allStagedKeys(): Promise<string[]> {
  const listing = await bed.bucket.client.send(
    new ListObjectsV2Command({ Bucket: bed.bucket.bucket, Prefix: 'staging/' }),
  );
  return (listing.Contents ?? []).map((object) => object.Key!).sort();
}
