import { beforeAll, describe, expect, it } from 'vitest';
import { addMediaEvent, getDatasetEvent } from '../support/api-events';
import { makeImage } from '../support/media-fixtures';
import {
  ADD_MEDIA_MACHINE,
  type ApiTestBed,
  createApiTestBed,
  mockPipelines,
  OWNER,
  readDataset,
  S3RVER_CREDENTIALS,
  seedDataset,
  stagedKeys,
  startedExecutions,
} from './api-test-bed';

/** The `handler` exports as Lambda (and the local runtime) load them: configuration and clients from the environment. */
let bed: ApiTestBed;

beforeAll(async () => {
  bed = await createApiTestBed();
  Object.assign(process.env, {
    TABLE_NAME: bed.table.tableName,
    BUCKET_NAME: bed.bucket.bucket,
    ADD_MEDIA_STATE_MACHINE_ARN: ADD_MEDIA_MACHINE,
    AWS_ENDPOINT_URL_DYNAMODB: bed.table.endpoint,
    AWS_ENDPOINT_URL_S3: bed.bucket.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  mockPipelines();
});

describe('handlers configured from the environment', () => {
  it('serve a read and an upload route with the variables lib/api/api.ts sets', async () => {
    const [{ handler: getDataset }, { handler: addMedia }] = await Promise.all([
      import('../../lambdas/get-dataset/handler'),
      import('../../lambdas/add-media/handler'),
    ]);
    const id = await seedDataset(bed);
    const view = await getDataset(getDatasetEvent(id, OWNER));
    expect(view.statusCode).toBe(200);
    expect(JSON.parse(view.body)).toMatchObject({ id, status_new: 'READY' });

    const jpeg = await makeImage({ seed: 7 });
    const accepted = await addMedia(addMediaEvent(id, [{ name: 'files[]', filename: 'a.jpg', content: jpeg }], OWNER));
    expect(accepted.statusCode).toBe(202);
    const operationId = accepted.headers?.['X-Operation-Id'];
    expect(await stagedKeys(bed, id)).toEqual([`staging/${id}/${operationId}/files/0-a.jpg`]);
    expect((await readDataset(bed, id))?.active_task?.operation_id).toBe(operationId);
    expect(startedExecutions().map((execution) => execution.name)).toEqual([operationId]);
  });
});
