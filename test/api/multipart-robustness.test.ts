import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAddMediaHandler } from '../../lambdas/add-media/handler';
import type { ApiHandler } from '../../lambdas/http/api-handler';
import { addMediaEvent, apiEvent, multipartBody } from '../support/api-events';
import { makeImage } from '../support/media-fixtures';
import {
  type ApiTestBed,
  createApiTestBed,
  expectNothingLeft,
  mockPipelines,
  OWNER,
  readDataset,
  seedDataset,
} from './api-test-bed';

/** Whatever arrives as a body, add_media answers a client error (never a crash, never a 5xx) and changes nothing. */
const ALLOWED_FIELDS = new Set([
  'files[]',
  'archive',
  's3_uri',
  'auto_reindex',
  'assume_role',
  'batch_n_videos',
  'batch_n_images',
  'batch_n_objects',
  'use_spot',
]);
const RUNS = { numRuns: 120 };

let bed: ApiTestBed;
let addMedia: ApiHandler;
let datasetId: string;
let jpeg: Buffer;

const rawEvent = (body: Uint8Array, contentType: string): APIGatewayProxyEvent =>
  apiEvent({
    method: 'POST',
    resource: '/api/v1/dataset/{dataset_id}/add_media',
    pathParameters: { dataset_id: datasetId },
    headers: { 'Content-Type': contentType },
    body: Buffer.from(body),
    caller: OWNER,
  });

async function expectClientError(event: APIGatewayProxyEvent): Promise<string> {
  const response = await addMedia(event);
  expect(response.statusCode).toBeGreaterThanOrEqual(400);
  expect(response.statusCode).toBeLessThanOrEqual(413);
  const detail = (JSON.parse(response.body) as { detail: unknown }).detail;
  expect(typeof detail).toBe('string');
  return detail as string;
}

const boundary = fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/);

beforeAll(async () => {
  bed = await createApiTestBed();
  addMedia = createAddMediaHandler(() => bed.context);
  datasetId = await seedDataset(bed);
  jpeg = await makeImage({ seed: 5, width: 8, height: 8 });
});
beforeEach(mockPipelines);

describe('add_media multipart robustness (property-based)', () => {
  it('answers 4xx to arbitrary bytes under a multipart content type', async () => {
    const before = await readDataset(bed, datasetId);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), boundary, async (bytes, mark) => {
        await expectClientError(rawEvent(bytes, `multipart/form-data; boundary=${mark}`));
      }),
      RUNS,
    );
    await expectNothingLeft(bed, datasetId, before);
  });

  it('answers 400 naming the field to well-formed forms with unknown field names', async () => {
    const before = await readDataset(bed, datasetId);
    const name = fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((value) => !ALLOWED_FIELDS.has(value) && !/["\r\n\\]/.test(value));
    await fc.assert(
      fc.asyncProperty(name, fc.string({ maxLength: 200 }), fc.boolean(), async (field, value, asFile) => {
        const part = asFile ? { name: field, filename: 'x.jpg', content: jpeg } : { name: field, value };
        const detail = await expectClientError(
          addMediaEvent(datasetId, [{ name: 's3_uri', value: 's3://b-x/a/' }, part], OWNER),
        );
        expect(detail).toMatch(/^(Unknown field '|A form field name is longer)/);
      }),
      RUNS,
    );
    await expectNothingLeft(bed, datasetId, before);
  });

  it('answers 400 to a valid upload cut anywhere before its closing boundary, or with its boundary changed', async () => {
    const before = await readDataset(bed, datasetId);
    const { body, contentType } = multipartBody(
      [{ name: 'files[]', filename: 'a.jpg', content: jpeg }],
      'fixed-boundary',
    );
    const closing = body.lastIndexOf(Buffer.from('--fixed-boundary--'));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: closing - 1 }), async (cut) => {
        await expectClientError(rawEvent(body.subarray(0, cut), contentType));
      }),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(
        boundary.filter((mark) => mark !== 'fixed-boundary'),
        async (mark) => {
          await expectClientError(rawEvent(body, `multipart/form-data; boundary=${mark}`));
        },
      ),
      RUNS,
    );
    await expectNothingLeft(bed, datasetId, before);
  });

  it('answers 400 to content types that are not a multipart form with a boundary', async () => {
    const { body } = multipartBody([{ name: 'files[]', filename: 'a.jpg', content: jpeg }]);
    const contentType = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constant('multipart/form-data'),
      fc.constant('multipart/form-data; boundary='),
    );
    await fc.assert(
      fc.asyncProperty(contentType, async (type) => {
        await expectClientError(rawEvent(body, type));
      }),
      RUNS,
    );
  });

  it('answers 400 to too many parts and too many files', async () => {
    const manyFields = Array.from({ length: 600 }, (_, index) => ({ name: 'auto_reindex', value: String(index % 2) }));
    expect(await expectClientError(addMediaEvent(datasetId, manyFields, OWNER))).toMatch(
      /^Too many (form parts|form fields)/,
    );
    const manyFiles = Array.from({ length: 501 }, (_, index) => ({
      name: 'files[]',
      filename: `${index}.jpg`,
      content: Buffer.from('x'),
    }));
    expect(await expectClientError(addMediaEvent(datasetId, manyFiles, OWNER))).toMatch(
      /^Too many (form parts|files in files\[\])/,
    );
  });
});
