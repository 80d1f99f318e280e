import { randomUUID } from 'node:crypto';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperationContext } from '../../core/operations/operation-context';
import { idempotencyKey } from '../../core/store/table-schema';
import { createAddMediaHandler } from '../../lambdas/add-media/handler';
import type { ApiHandler } from '../../lambdas/http/api-handler';
import { addMediaEvent, apiEvent, type MultipartPart } from '../support/api-events';
import { makeImage, makeZip } from '../support/media-fixtures';
import {
  ADD_MEDIA_MACHINE,
  type ApiTestBed,
  createApiTestBed,
  EMBEDDING_CONFIG,
  expectError,
  expectNothingLeft,
  mockPipelines,
  OWNER,
  putSourceObject,
  READER,
  readDataset,
  STRANGER,
  s3rverClient,
  seedDataset,
  sfnMock,
  stagedKeys,
  startedExecutions,
  stsMock,
  WRITER,
} from './api-test-bed';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NO_OVERRIDES = { batch_n_images: null, batch_n_videos: null, batch_n_objects: null };

let bed: ApiTestBed;
let addMedia: ApiHandler;
let jpeg: Buffer;
const photo = (filename = 'photo.jpg'): MultipartPart => ({
  name: 'files[]',
  filename,
  content: jpeg,
  contentType: 'image/jpeg',
});
const handlerWith = (context: OperationContext) => createAddMediaHandler(() => context);

beforeAll(async () => {
  bed = await createApiTestBed();
  addMedia = handlerWith(bed.context);
  jpeg = await makeImage({ seed: 1, width: 16, height: 16 });
});
beforeEach(mockPipelines);

describe('POST /api/v1/dataset/{id}/add_media', () => {
  it('stages an uploaded JPEG, locks the dataset and starts the add-media execution with the exact input', async () => {
    const id = await seedDataset(bed);
    const response = await addMedia(addMediaEvent(id, [photo('My Photo.JPG')], OWNER));

    expect(response.statusCode).toBe(202);
    expect(response.body).toBe('');
    expect(response.headers?.Location).toBe(`/api/v1/dataset/${id}`);
    const operationId = String(response.headers?.['X-Operation-Id']);
    expect(operationId).toMatch(UUID);
    expect(response.headers?.['Operation-Location']).toBe(`/api/v1/dataset/${id}/operations/${operationId}`);
    expect(await stagedKeys(bed, id)).toEqual([`staging/${id}/${operationId}/files/0-My_Photo.jpg`]);
    expect(await readDataset(bed, id)).toMatchObject({
      status: 'UPDATING',
      progress: 0,
      active_task: { type: 'MEDIA_ADDITION', operation_id: operationId },
      last_operation: { type: 'MEDIA_ADDITION', operation_id: operationId, status: 'RUNNING' },
    });
    expect(startedExecutions()).toEqual([
      {
        stateMachineArn: ADD_MEDIA_MACHINE,
        name: operationId,
        input: {
          dataset_id: id,
          operation_id: operationId,
          operation: 'add_media',
          task_type: 'MEDIA_ADDITION',
          caller: OWNER.sub,
          source: { kind: 'staged_files', uri: `s3://${bed.bucket.bucket}/staging/${id}/${operationId}/files/` },
          auto_reindex: false,
          assume_role: null,
          use_spot: null,
          overrides: NO_OVERRIDES,
          embedding_config: EMBEDDING_CONFIG,
        },
      },
    ]);
  });

  it('passes an S3 folder source and every option through to the execution input (a writer may add media)', async () => {
    const id = await seedDataset(bed);
    const uri = await putSourceObject(bed, `folder-${id}/a/b.jpg`, jpeg).then(
      () => `s3://${bed.sourceBucket.bucket}/folder-${id}/`,
    );
    const response = await addMedia(
      addMediaEvent(
        id,
        [
          { name: 's3_uri', value: uri },
          { name: 'auto_reindex', value: 'TRUE' },
          { name: 'use_spot', value: '0' },
          { name: 'batch_n_images', value: '1200' },
          { name: 'batch_n_videos', value: '0' },
          { name: 'batch_n_objects', value: '7' },
        ],
        WRITER,
      ),
    );
    expect(response.statusCode).toBe(202);
    const operationId = response.headers?.['X-Operation-Id'];
    expect(startedExecutions()[0]?.input).toEqual({
      dataset_id: id,
      operation_id: operationId,
      operation: 'add_media',
      task_type: 'MEDIA_ADDITION',
      caller: WRITER.sub,
      source: { kind: 's3_uri', uri },
      auto_reindex: true,
      assume_role: null,
      use_spot: false,
      overrides: { batch_n_images: 1200, batch_n_videos: 0, batch_n_objects: 7 },
      embedding_config: EMBEDDING_CONFIG,
    });
    expect(await stagedKeys(bed, id)).toEqual([]);
  });

  it('accepts an S3 source sent as a urlencoded form, as requests.post(url, data={...}) sends it', async () => {
    const id = await seedDataset(bed);
    const uri = await putSourceObject(bed, `urlencoded-${id}/a.jpg`, jpeg).then(
      () => `s3://${bed.sourceBucket.bucket}/urlencoded-${id}/`,
    );
    const response = await addMedia(
      apiEvent({
        method: 'POST',
        resource: '/api/v1/dataset/{dataset_id}/add_media',
        pathParameters: { dataset_id: id },
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ s3_uri: uri, auto_reindex: 'true' }).toString(),
        caller: OWNER,
      }),
    );
    expect(response.statusCode).toBe(202);
    expect(startedExecutions()[0]?.input).toMatchObject({ source: { kind: 's3_uri', uri }, auto_reindex: true });
  });

  it('stages an archive and starts the execution on it', async () => {
    const id = await seedDataset(bed);
    const archive = makeZip([{ name: 'photos/a.jpg', data: jpeg }]);
    const response = await addMedia(
      addMediaEvent(id, [{ name: 'archive', filename: 'batch 1.zip', content: archive }], OWNER),
    );
    expect(response.statusCode).toBe(202);
    const operationId = response.headers?.['X-Operation-Id'];
    const key = `staging/${id}/${operationId}/archive/batch_1.zip`;
    expect(await stagedKeys(bed, id)).toEqual([key]);
    expect(startedExecutions()[0]?.input.source).toEqual({
      kind: 'staged_archive',
      uri: `s3://${bed.bucket.bucket}/${key}`,
    });
  });

  it('gives the lock to exactly one of 50 concurrent requests; the 49 others get 409 and leave no staged file', async () => {
    const id = await seedDataset(bed);
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => addMedia(addMediaEvent(id, [photo()], OWNER))),
    );
    const wallMs = performance.now() - started;
    console.info(`lock storm: 50 concurrent add_media on one dataset took ${wallMs.toFixed(0)} ms`);

    const accepted = responses.filter((response) => response.statusCode === 202);
    const refused = responses.filter((response) => response.statusCode !== 202);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const response of refused)
      expectError(response, 409, "Operation 'add_media' is blocked while MEDIA_ADDITION task is running");
    const operationId = accepted[0]!.headers?.['X-Operation-Id'];
    expect(startedExecutions().map((execution) => execution.name)).toEqual([operationId]);
    expect(await stagedKeys(bed, id)).toEqual([`staging/${id}/${operationId}/files/0-photo.jpg`]);
    expect((await readDataset(bed, id))?.active_task?.operation_id).toBe(operationId);
  });

  describe('refusals leave no lock, no staged file and no execution', () => {
    it('answers 404 for a missing dataset', async () => {
      const id = randomUUID();
      expectError(await addMedia(addMediaEvent(id, [photo()], OWNER)), 404, 'Dataset not found');
      await expectNothingLeft(bed, id, undefined);
    });

    it('answers 404 to a caller who cannot read the dataset', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      expectError(await addMedia(addMediaEvent(id, [photo()], STRANGER)), 404, 'Dataset not found');
      await expectNothingLeft(bed, id, before);
    });

    it('answers 403 to a caller who can only read', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      expectError(
        await addMedia(addMediaEvent(id, [photo()], READER)),
        403,
        `User does not have write access to dataset ${id}`,
      );
      await expectNothingLeft(bed, id, before);
    });

    it('answers 403 when the feature flag is off', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      const handler = handlerWith(bed.withConfig({ addMediaEnabled: false }));
      expectError(await handler(addMediaEvent(id, [photo()], OWNER)), 403, 'Add media feature is not enabled');
      await expectNothingLeft(bed, id, before);
    });

    it.each([
      ['another model', { ...EMBEDDING_CONFIG, model_id: 'mobilenet-v2-140-trunk', dimension: 448 }, {}],
      [
        'other bytes of the same model',
        { ...EMBEDDING_CONFIG, model_sha256: 'b'.repeat(64) },
        { defaultEmbeddingConfig: { ...EMBEDDING_CONFIG, model_sha256: 'a'.repeat(64) } },
      ],
    ])(
      'answers 409 for a dataset indexed with %s than the deployment embeds with',
      async (_, indexedWith, deployment) => {
        const id = await seedDataset(bed, { embedding_config: indexedWith });
        const before = await readDataset(bed, id);
        const handler = handlerWith(bed.withConfig(deployment));
        const deploymentEncoder =
          'defaultEmbeddingConfig' in deployment ? 'clip-vit-b32-image (sha256 aaaaaaaaaaaa…)' : 'clip-vit-b32-image';
        const datasetEncoder = indexedWith.model_sha256
          ? 'clip-vit-b32-image (sha256 bbbbbbbbbbbb…)'
          : 'mobilenet-v2-140-trunk';
        expectError(
          await handler(addMediaEvent(id, [photo()], OWNER)),
          409,
          `Dataset ${id} was indexed with the encoder ${datasetEncoder}; this deployment embeds with ${deploymentEncoder}, whose vectors do not compare with its own. Add the media to a new dataset, or deploy the dataset's encoder`,
        );
        await expectNothingLeft(bed, id, before);
      },
    );

    it('answers 400 for a dataset that was never indexed', async () => {
      const id = await seedDataset(bed, { embedding_config: undefined });
      const before = await readDataset(bed, id);
      expectError(
        await addMedia(addMediaEvent(id, [photo()], OWNER)),
        400,
        `Dataset ${id} has no embedding_config; index it at least once before adding media`,
      );
      await expectNothingLeft(bed, id, before);
    });

    it.each<[string, MultipartPart[]]>([
      ['no source', [{ name: 'auto_reindex', value: 'true' }]],
      [
        'files[] and s3_uri',
        [
          { name: 's3_uri', value: 's3://bucket-x/a/' },
          { name: 'files[]', filename: 'a.jpg', content: Buffer.from('x') },
        ],
      ],
      [
        'two archives',
        [
          { name: 'archive', filename: 'a.zip', content: Buffer.from('x') },
          { name: 'archive', filename: 'b.zip', content: Buffer.from('x') },
        ],
      ],
      [
        'two s3_uri',
        [
          { name: 's3_uri', value: 's3://bucket-x/a/' },
          { name: 's3_uri', value: 's3://bucket-x/b/' },
        ],
      ],
    ])('answers 400 for %s', async (_, parts) => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      expectError(
        await addMedia(addMediaEvent(id, parts, OWNER)),
        400,
        'Exactly one media source must be provided: files[], s3_uri, or archive',
      );
      await expectNothingLeft(bed, id, before);
    });

    it.each<[string, MultipartPart[], string | RegExp]>([
      [
        'an HTML page named .jpg',
        [{ name: 'files[]', filename: 'cat.jpg', content: Buffer.from('<!DOCTYPE html><html><body>hi</body></html>') }],
        /^File 'cat\.jpg' in files\[\] is not supported media: content is HTML/,
      ],
      [
        'a zero-byte file',
        [{ name: 'files[]', filename: 'empty.png', content: Buffer.alloc(0) }],
        "File 'empty.png' in files[] is empty",
      ],
      [
        'an unsupported extension',
        [{ name: 'files[]', filename: 'notes.txt', content: Buffer.from('hello') }],
        /^File 'notes\.txt' in files\[\] is not supported media/,
      ],
      [
        'an unknown field',
        [
          { name: 's3_uri', value: 's3://b-x/a/' },
          { name: 'colour', value: 'red' },
        ],
        "Unknown field 'colour'; known fields: files[], archive, s3_uri, auto_reindex, assume_role, batch_n_videos, batch_n_images, batch_n_objects, use_spot",
      ],
      ['a mistyped s3_uri', [{ name: 's3uri', value: 's3://b-x/a/' }], "Unknown field 's3uri'; did you mean 's3_uri'?"],
      [
        'a mistyped files[]',
        [{ name: 'file', filename: 'a.png', content: Buffer.from('x') }],
        "Unknown field 'file'; did you mean 'files[]'?",
      ],
      [
        'a bad boolean',
        [
          { name: 's3_uri', value: 's3://b-x/a/' },
          { name: 'auto_reindex', value: 'yes' },
        ],
        "Field 'auto_reindex' must be true or false (also accepted: 1 or 0)",
      ],
      [
        'a negative count',
        [
          { name: 's3_uri', value: 's3://b-x/a/' },
          { name: 'batch_n_images', value: '-1' },
        ],
        /^Field 'batch_n_images' must be a non-negative base-10 integer/,
      ],
      [
        'a hexadecimal count',
        [
          { name: 's3_uri', value: 's3://b-x/a/' },
          { name: 'batch_n_videos', value: '0x10' },
        ],
        /^Field 'batch_n_videos' must be a non-negative base-10 integer/,
      ],
      [
        'a malformed role ARN',
        [
          { name: 's3_uri', value: 's3://b-x/a/' },
          { name: 'assume_role', value: 'arn:aws:iam::12:role/x' },
        ],
        /^Field 'assume_role' must be an IAM role ARN/,
      ],
      [
        'a repeated option',
        [
          { name: 's3_uri', value: 's3://b-x/a/' },
          { name: 'use_spot', value: 'true' },
          { name: 'use_spot', value: 'false' },
        ],
        "Field 'use_spot' must be given at most once",
      ],
      ['files[] sent as text', [{ name: 'files[]', value: 'a.jpg' }], "Field 'files[]' must be a file upload"],
      [
        'an archive with a path escaping it',
        [{ name: 'archive', filename: 'evil.zip', content: makeZip([{ name: '../evil.jpg', data: 'x' }]) }],
        /^Field 'archive': .*\.\./,
      ],
      [
        'an archive that is not one',
        [{ name: 'archive', filename: 'fake.zip', content: Buffer.from('not a zip at all') }],
        /^Field 'archive': /,
      ],
      [
        'a malformed S3 URI',
        [{ name: 's3_uri', value: 'https://example.com/x' }],
        'Invalid S3 URI or no media files found at https://example.com/x',
      ],
    ])('answers 400 for %s', async (_, parts, detail) => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      expectError(await addMedia(addMediaEvent(id, parts, OWNER)), 400, detail);
      await expectNothingLeft(bed, id, before);
    });

    it('answers 413, pointing to the S3 route, for a body over the upload limit', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      const handler = handlerWith(bed.withConfig({ maxUploadBytes: 200 }));
      expectError(
        await handler(addMediaEvent(id, [photo()], OWNER)),
        413,
        'Request body too large for direct upload (limit 200 bytes); upload the media to S3 and pass s3_uri instead',
      );
      await expectNothingLeft(bed, id, before);
    });

    it('answers 401 without an authenticated caller and 403 to a cookie-authenticated cross-site request', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      expectError(await addMedia(addMediaEvent(id, [photo()], null)), 401, 'Not authenticated');
      expectError(
        await addMedia(
          addMediaEvent(id, [photo()], { sub: OWNER.sub, authMethod: 'cookie' }, { Origin: 'https://evil.example' }),
        ),
        403,
        /^CSRF check failed: origin https:\/\/evil\.example is not allowed$/,
      );
      await expectNothingLeft(bed, id, before);
      const sameSite = await addMedia(
        addMediaEvent(id, [photo()], { sub: OWNER.sub, authMethod: 'cookie' }, { Origin: 'https://app.example.com' }),
      );
      expect(sameSite.statusCode).toBe(202);
    });
  });

  describe('failures after the checks clean up', () => {
    it('answers 500 when StartExecution fails, rolls the lock back and deletes the staged upload', async () => {
      const id = await seedDataset(bed, { status: 'PENDING_INDEX' });
      const before = await readDataset(bed, id);
      sfnMock.on(StartExecutionCommand).rejects(new Error('Step Functions is down'));
      expectError(
        await addMedia(addMediaEvent(id, [photo()], OWNER)),
        500,
        'Failed to start media processing pipeline',
      );
      expect(await readDataset(bed, id)).toEqual(before);
      expect(await stagedKeys(bed, id)).toEqual([]);
      expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
    });

    it('takes ExecutionAlreadyExists for success: only a retried call of this very request can have used the name', async () => {
      const id = await seedDataset(bed);
      sfnMock
        .on(StartExecutionCommand)
        .rejects(new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} }));
      const response = await addMedia(addMediaEvent(id, [photo()], OWNER));
      expect(response.statusCode).toBe(202);
      expect((await readDataset(bed, id))?.active_task?.operation_id).toBe(response.headers?.['X-Operation-Id']);
      expect(await stagedKeys(bed, id)).toHaveLength(1);
    });

    it('answers 500 when staging fails (no such bucket) and takes no lock', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      const handler = handlerWith(bed.withConfig({ bucketName: `missing-${randomUUID().slice(0, 8)}` }));
      expectError(await handler(addMediaEvent(id, [photo()], OWNER)), 500, 'Failed to upload media to storage');
      await expectNothingLeft(bed, id, before);
    });

    it('deletes the uploads already staged when a later one fails', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      const flaky = s3rverClient();
      flaky.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { Key?: string };
          if (args.input && input.Key?.includes('/files/3-')) throw new Error('injected network failure');
          return next(args);
        },
        { step: 'initialize' },
      );
      const handler = handlerWith(bed.withConfig({}, { s3: flaky }));
      const parts = Array.from({ length: 12 }, (_, index) => photo(`p${index}.jpg`));
      expectError(await handler(addMediaEvent(id, parts, OWNER)), 500, 'Failed to upload media to storage');
      await expectNothingLeft(bed, id, before);
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a repeat with the same 202 and operation id, and starts nothing new', async () => {
      const id = await seedDataset(bed);
      const key = randomUUID();
      const first = await addMedia(addMediaEvent(id, [photo()], OWNER, { 'Idempotency-Key': key }));
      const second = await addMedia(addMediaEvent(id, [photo()], OWNER, { 'Idempotency-Key': key }));
      expect(first.statusCode).toBe(202);
      expect(second).toMatchObject({ statusCode: 202, body: '' });
      expect(second.headers?.['X-Operation-Id']).toBe(first.headers?.['X-Operation-Id']);
      expect(startedExecutions()).toHaveLength(1);
      expect(await stagedKeys(bed, id)).toHaveLength(1);
      const record = await bed.table.client.send(
        new GetCommand({ TableName: bed.table.tableName, Key: idempotencyKey(OWNER.sub, key, id, 'add_media') }),
      );
      expect(record.Item).toMatchObject({
        status: 'COMPLETED',
        result: { dataset_id: id, operation_id: first.headers?.['X-Operation-Id'] },
      });
      const expiresIn = Number(record.Item?.expires_at) - Date.now() / 1000;
      expect(expiresIn).toBeGreaterThan(24 * 3600 - 120);
      expect(expiresIn).toBeLessThanOrEqual(24 * 3600);
    });

    it('answers 409 to a repeat while the first request is still running, and 422 to another request with the key', async () => {
      const id = await seedDataset(bed);
      const key = randomUUID();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      sfnMock.on(StartExecutionCommand).callsFake(async () => {
        await held;
        return { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:add-media:x', startDate: new Date() };
      });
      const first = addMedia(addMediaEvent(id, [photo()], OWNER, { 'Idempotency-Key': key }));
      await vi_waitFor(() => sfnMock.commandCalls(StartExecutionCommand).length === 1);
      expectError(
        await addMedia(addMediaEvent(id, [photo()], OWNER, { 'Idempotency-Key': key })),
        409,
        'A request with this Idempotency-Key is still being processed; retry once it has finished',
      );
      release();
      expect((await first).statusCode).toBe(202);
      expectError(
        await addMedia(addMediaEvent(id, [photo('other.jpg')], OWNER, { 'Idempotency-Key': key })),
        422,
        'This Idempotency-Key was already used with a different request; use a new key for a new request',
      );
      expect(startedExecutions()).toHaveLength(1);
    });

    it('gives the key back when the attempt fails, so the client can retry with it', async () => {
      const id = await seedDataset(bed);
      const key = randomUUID();
      sfnMock
        .on(StartExecutionCommand)
        .rejectsOnce(new Error('throttled'))
        .callsFake((input: { name: string }) => ({
          executionArn: `arn:aws:states:us-east-1:123456789012:execution:add-media:${input.name}`,
          startDate: new Date(),
        }));
      expectError(
        await addMedia(addMediaEvent(id, [photo()], OWNER, { 'Idempotency-Key': key })),
        500,
        'Failed to start media processing pipeline',
      );
      const retry = await addMedia(addMediaEvent(id, [photo()], OWNER, { 'Idempotency-Key': key }));
      expect(retry.statusCode).toBe(202);
      expect(startedExecutions()).toHaveLength(2);
    });

    it('refuses a malformed key', async () => {
      const id = await seedDataset(bed);
      expectError(
        await addMedia(addMediaEvent(id, [photo()], OWNER, { 'Idempotency-Key': 'has space' })),
        400,
        'Header Idempotency-Key must be 1 to 255 visible ASCII characters',
      );
    });
  });

  describe('S3 sources are checked before anything is locked', () => {
    it('answers 400 with the exact message for an empty folder', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      const uri = `s3://${bed.sourceBucket.bucket}/empty-${id}/`;
      expectError(
        await addMedia(addMediaEvent(id, [{ name: 's3_uri', value: uri }], OWNER)),
        400,
        `Invalid S3 URI or no media files found at ${uri}`,
      );
      await expectNothingLeft(bed, id, before);
    });

    it('answers 400 for a folder holding no supported media, and 202 once it holds a .jpg', async () => {
      const id = await seedDataset(bed);
      await putSourceObject(bed, `mixed-${id}/readme.md`, 'hello');
      const uri = `s3://${bed.sourceBucket.bucket}/mixed-${id}/`;
      expectError(
        await addMedia(addMediaEvent(id, [{ name: 's3_uri', value: uri }], OWNER)),
        400,
        `Invalid S3 URI or no media files found at ${uri}`,
      );
      await putSourceObject(bed, `mixed-${id}/deep/down/cat.JPG`, jpeg);
      expect((await addMedia(addMediaEvent(id, [{ name: 's3_uri', value: uri }], OWNER))).statusCode).toBe(202);
    });

    it('checks that a manifest exists', async () => {
      const id = await seedDataset(bed);
      const missing = `s3://${bed.sourceBucket.bucket}/manifests/${id}.csv`;
      expectError(
        await addMedia(addMediaEvent(id, [{ name: 's3_uri', value: missing }], OWNER)),
        400,
        `Invalid S3 URI or no media files found at ${missing}`,
      );
      const present = await putSourceObject(bed, `manifests/${id}.csv`, 's3_uri\ns3://x-bucket/a.jpg\n');
      expect((await addMedia(addMediaEvent(id, [{ name: 's3_uri', value: present }], OWNER))).statusCode).toBe(202);
      expect(startedExecutions()[0]?.input.source).toEqual({ kind: 's3_uri', uri: present });
    });

    it('refuses a csv or parquet manifest without a location column before the 202, naming the accepted columns', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      const csv = await putSourceObject(bed, `manifests/${id}-bad.csv`, 'image,label\ns3://x-bucket/a.jpg,cat\n');
      const parquet = await putSourceObject(
        bed,
        `manifests/${id}-bad.parquet`,
        Buffer.from(
          parquetWriteBuffer({ columnData: [{ name: 'image', data: ['s3://x-bucket/a.jpg'], type: 'STRING' }] }),
        ),
      );
      for (const uri of [csv, parquet]) {
        expectError(
          await addMedia(addMediaEvent(id, [{ name: 's3_uri', value: uri }], OWNER)),
          400,
          `Manifest '${uri}' has no location column: a .csv header or .parquet column must be named one of path, s3_uri, uri, url, key, filename (case-insensitive); or list one location per line in a .txt manifest`,
        );
      }
      await expectNothingLeft(bed, id, before);
      const good = await putSourceObject(
        bed,
        `manifests/${id}-good.csv`,
        '\uFEFFimage,"URL"\r\nx,s3://x-bucket/a.jpg\r\n',
      );
      expect((await addMedia(addMediaEvent(id, [{ name: 's3_uri', value: good }], OWNER))).statusCode).toBe(202);
    });

    it('refuses buckets this deployment may not read with its own role, our own bucket included', async () => {
      const id = await seedDataset(bed);
      for (const uri of [`s3://unlisted-bucket-${id.slice(0, 8)}/photos/`, `s3://${bed.bucket.bucket}/datasets/`]) {
        expectError(
          await addMedia(addMediaEvent(id, [{ name: 's3_uri', value: uri }], OWNER)),
          400,
          `Invalid S3 URI or no media files found at ${uri}`,
        );
      }
      expect(startedExecutions()).toEqual([]);
    });

    it('reads the source with the assumed role when assume_role is allowed', async () => {
      const id = await seedDataset(bed);
      const uri = await putSourceObject(bed, `cross-${id}/x.png`, await makeImage({ seed: 2, format: 'png' })).then(
        () => `s3://${bed.sourceBucket.bucket}/cross-${id}/`,
      );
      const credentialsSeen: string[] = [];
      const context = bed.withConfig(
        { sourceBucketNames: [] },
        {
          assumedRoleS3: (credentials) => {
            credentialsSeen.push(credentials.accessKeyId);
            return bed.context.assumedRoleS3(credentials);
          },
        },
      );
      const role = 'arn:aws:iam::123456789012:role/vl-reader';
      const response = await handlerWith(context)(
        addMediaEvent(
          id,
          [
            { name: 's3_uri', value: uri },
            { name: 'assume_role', value: role },
          ],
          OWNER,
        ),
      );
      expect(response.statusCode).toBe(202);
      const operationId = response.headers?.['X-Operation-Id'];
      expect(stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
        {
          RoleArn: role,
          RoleSessionName: `precheck-${operationId}`,
          DurationSeconds: 900,
          ExternalId: 'external-id-1',
        },
      ]);
      expect(credentialsSeen).toEqual(['ASIAASSUMEDROLE']);
      expect(startedExecutions()[0]?.input.assume_role).toBe(role);
    });

    it('answers 400 naming assume_role when the role is not allowed, and the exact S3 message when AssumeRole fails', async () => {
      const id = await seedDataset(bed);
      const before = await readDataset(bed, id);
      const uri = `s3://${bed.sourceBucket.bucket}/anything/`;
      const foreign = 'arn:aws:iam::999999999999:role/other';
      expectError(
        await addMedia(
          addMediaEvent(
            id,
            [
              { name: 's3_uri', value: uri },
              { name: 'assume_role', value: foreign },
            ],
            OWNER,
          ),
        ),
        400,
        `Field 'assume_role': role ${foreign} is not allowed by this deployment (ALLOWED_ASSUME_ROLE_ARNS)`,
      );
      const noneAllowed = handlerWith(bed.withConfig({ allowedAssumeRoleArns: [] }));
      const allowedShape = 'arn:aws:iam::123456789012:role/vl-reader';
      expectError(
        await noneAllowed(
          addMediaEvent(
            id,
            [
              { name: 's3_uri', value: uri },
              { name: 'assume_role', value: allowedShape },
            ],
            OWNER,
          ),
        ),
        400,
        /^Field 'assume_role': role .* is not allowed/,
      );
      stsMock.on(AssumeRoleCommand).rejects(new Error('AccessDenied'));
      expectError(
        await addMedia(
          addMediaEvent(
            id,
            [
              { name: 's3_uri', value: uri },
              { name: 'assume_role', value: allowedShape },
            ],
            OWNER,
          ),
        ),
        400,
        `Invalid S3 URI or no media files found at ${uri}`,
      );
      await expectNothingLeft(bed, id, before);
    });
  });
});

/** Polls until `condition` holds (the first request is parked inside StartExecution). */
async function vi_waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
