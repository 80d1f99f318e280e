import { readFile } from 'node:fs/promises';
import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { getDataset } from '../../core/datasets/dataset-repository';
import type { MediaRecord } from '../../core/datasets/media-record';
import { sniffMedia } from '../../core/media/sniff-media';
import { readableDataset } from '../../core/operations/dataset-guards';
import { apiContextFromEnv, type OperationContext } from '../../core/operations/operation-context';
import { thumbnailKey } from '../../core/store/batch-paths';
import { mediaKey } from '../../core/store/table-schema';
import { type ApiHandler, type ApiRequest, apiHandler } from '../../lambdas/http/api-handler';
import { datasetIdOf } from '../../lambdas/http/event-input';
import { errorResponse } from '../../lambdas/http/responses';

/**
 * What `thumbnail_url` and `url` point to on one machine (core/operations/media-links.ts `localMediaLinks`): the
 * thumbnail and the media of a visible media item, for a caller who may read its dataset, behind the same
 * authentication as the API. In the cloud the same links are presigned S3 GETs instead.
 *   GET /api/v1/dataset/{dataset_id}/media/{batch_id}/{media_id}/thumbnail   image/webp
 *   GET /api/v1/dataset/{dataset_id}/media/{batch_id}/{media_id}/file        the media's own bytes
 */
export const MEDIA_ROUTES: readonly {
  readonly resource: string;
  readonly name: string;
  readonly handler: ApiHandler;
}[] = [
  {
    resource: '/api/v1/dataset/{dataset_id}/media/{batch_id}/{media_id}/thumbnail',
    name: 'media-thumbnail',
    handler: apiHandler(apiContextFromEnv, serveThumbnail, []),
  },
  {
    resource: '/api/v1/dataset/{dataset_id}/media/{batch_id}/{media_id}/file',
    name: 'media-file',
    handler: apiHandler(apiContextFromEnv, serveFile, []),
  },
];

const MEDIA_NOT_FOUND = 'Media not found';
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The media item named by the path if the caller may read its dataset and its batch is committed. */
async function visibleMedia({ event, caller, context }: ApiRequest<OperationContext>) {
  const datasetId = datasetIdOf(event);
  const { batch_id: batchId = '', media_id: mediaId = '' } = event.pathParameters ?? {};
  const dataset = datasetId
    ? readableDataset(await getDataset(context.dynamo, context.config.tableName, datasetId), caller.sub)
    : undefined;
  if (!dataset) return { refused: errorResponse(404, 'Dataset not found') };
  if (!ID.test(batchId) || !ID.test(mediaId) || !dataset.batches.includes(batchId))
    return { refused: errorResponse(404, MEDIA_NOT_FOUND) };
  const item = await context.dynamo.send(
    new GetCommand({ TableName: context.config.tableName, Key: mediaKey(dataset.id, batchId, mediaId) }),
  );
  return item.Item ? { media: item.Item as MediaRecord } : { refused: errorResponse(404, MEDIA_NOT_FOUND) };
}

async function serveThumbnail(request: ApiRequest<OperationContext>): Promise<APIGatewayProxyResult> {
  const found = await visibleMedia(request);
  if (!found.media) return found.refused;
  const { config } = request.context;
  const bytes = await objectBytes(
    request.context,
    config.bucketName,
    thumbnailKey(found.media.dataset_id, found.media.batch_id, found.media.media_id),
  );
  return bytes ? binary(bytes, 'image/webp') : errorResponse(404, 'Thumbnail not found');
}

async function serveFile(request: ApiRequest<OperationContext>): Promise<APIGatewayProxyResult> {
  const found = await visibleMedia(request);
  if (!found.media) return found.refused;
  const location = found.media.location;
  if (!location) return errorResponse(404, MEDIA_NOT_FOUND);
  const bytes =
    'path' in location
      ? await readFile(location.path).catch(() => undefined)
      : await objectBytes(request.context, location.bucket, location.key);
  if (!bytes) return errorResponse(404, MEDIA_NOT_FOUND);
  // The type the bytes are (checked on the way in), never one the name claims.
  const sniffed = await sniffMedia(bytes, '');
  return binary(bytes, sniffed.ok ? sniffed.mime : 'application/octet-stream');
}

async function objectBytes(context: OperationContext, bucket: string, key: string): Promise<Uint8Array | undefined> {
  try {
    const object = await context.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToByteArray();
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

/** Private to the caller: a browser may keep it for a while, never a shared cache. */
const binary = (bytes: Uint8Array, contentType: string): APIGatewayProxyResult => ({
  statusCode: 200,
  headers: {
    'Content-Type': contentType,
    'Cache-Control': 'private, max-age=300',
    'X-Content-Type-Options': 'nosniff',
  },
  body: Buffer.from(bytes).toString('base64'),
  isBase64Encoded: true,
});
