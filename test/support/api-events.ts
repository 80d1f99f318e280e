import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toProxyEvent } from '../../local/http/proxy-event';

/** Who the authorizer let through: what it puts in `requestContext.authorizer` (null: no authorizer context at all). */
export interface TestCaller {
  readonly sub: string;
  readonly authMethod?: 'bearer' | 'cookie';
}

export interface ApiEventOptions {
  readonly method: 'GET' | 'POST';
  /** API Gateway resource, e.g. `/api/v1/dataset/{dataset_id}/add_media`. */
  readonly resource: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly caller: TestCaller | null;
}

/**
 * A REST API (payload 1.0) proxy event as API Gateway hands it to a route's Lambda behind the REQUEST authorizer, built
 * by the local runtime's own converter: multipart bodies arrive base64-encoded (a binary media type), the rest as text.
 */
export function apiEvent(options: ApiEventOptions): APIGatewayProxyEvent {
  const path = options.resource.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(options.pathParameters?.[name] ?? ''),
  );
  const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
  const headers = { Host: 'api.example.com', 'User-Agent': 'vitest', ...options.headers };
  return toProxyEvent(
    {
      method: options.method,
      url: `${path}${query}`,
      rawHeaders: Object.entries(headers).flat(),
      body: Buffer.from(options.body ?? ''),
      sourceIp: '127.0.0.1',
    },
    { route: { method: options.method, resource: options.resource }, pathParameters: options.pathParameters ?? null },
    options.caller
      ? { principalId: options.caller.sub, sub: options.caller.sub, auth_method: options.caller.authMethod ?? 'bearer' }
      : null,
  );
}

export type MultipartPart =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly filename: string; readonly content: Buffer; readonly contentType?: string };

/** Encodes a multipart/form-data body the way curl -F does. */
export function multipartBody(
  parts: readonly MultipartPart[],
  boundary = `----vitest${randomBytes(8).toString('hex')}`,
) {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('value' in part) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        part.content,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const DATASET_RESOURCE = '/api/v1/dataset/{dataset_id}';

/** POST …/add_media with a multipart form, base64-encoded as API Gateway delivers it. */
export function addMediaEvent(
  datasetId: string,
  parts: readonly MultipartPart[],
  caller: TestCaller | null,
  headers: Record<string, string> = {},
) {
  const { body, contentType } = multipartBody(parts);
  return apiEvent({
    method: 'POST',
    resource: `${DATASET_RESOURCE}/add_media`,
    pathParameters: { dataset_id: datasetId },
    headers: { 'Content-Type': contentType, ...headers },
    body,
    caller,
  });
}

export const reindexEvent = (datasetId: string, caller: TestCaller | null, headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'POST',
    resource: `${DATASET_RESOURCE}/reindex`,
    pathParameters: { dataset_id: datasetId },
    headers,
    caller,
  });

export const getDatasetEvent = (datasetId: string, caller: TestCaller | null) =>
  apiEvent({ method: 'GET', resource: DATASET_RESOURCE, pathParameters: { dataset_id: datasetId }, caller });

export const listDatasetsEvent = (caller: TestCaller | null) =>
  apiEvent({ method: 'GET', resource: '/api/v1/datasets', caller });

export const listMediaEvent = (datasetId: string, query: Record<string, string>, caller: TestCaller | null) =>
  apiEvent({
    method: 'GET',
    resource: `${DATASET_RESOURCE}/media`,
    pathParameters: { dataset_id: datasetId },
    query,
    caller,
  });

export const listClustersEvent = (datasetId: string, query: Record<string, string>, caller: TestCaller | null) =>
  apiEvent({
    method: 'GET',
    resource: `${DATASET_RESOURCE}/clusters`,
    pathParameters: { dataset_id: datasetId },
    query,
    caller,
  });

/** POST /api/v1/datasets, multipart (media) or JSON (`{"display_name"}` only). */
export function createDatasetEvent(
  body: { readonly parts: readonly MultipartPart[] } | { readonly json: unknown },
  caller: TestCaller | null,
  headers: Record<string, string> = {},
) {
  if ('json' in body) {
    return apiEvent({
      method: 'POST',
      resource: '/api/v1/datasets',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body.json),
      caller,
    });
  }
  const { body: encoded, contentType } = multipartBody(body.parts);
  return apiEvent({
    method: 'POST',
    resource: '/api/v1/datasets',
    headers: { 'Content-Type': contentType, ...headers },
    body: encoded,
    caller,
  });
}

export const getClusterEvent = (
  datasetId: string,
  clusterId: string,
  query: Record<string, string>,
  caller: TestCaller | null,
) =>
  apiEvent({
    method: 'GET',
    resource: `${DATASET_RESOURCE}/clusters/{cluster_id}`,
    pathParameters: { dataset_id: datasetId, cluster_id: clusterId },
    query,
    caller,
  });

export const listOperationsEvent = (datasetId: string, query: Record<string, string>, caller: TestCaller | null) =>
  apiEvent({
    method: 'GET',
    resource: `${DATASET_RESOURCE}/operations`,
    pathParameters: { dataset_id: datasetId },
    query,
    caller,
  });

export const getOperationEvent = (
  datasetId: string,
  operationId: string,
  query: Record<string, string>,
  caller: TestCaller | null,
) =>
  apiEvent({
    method: 'GET',
    resource: `${DATASET_RESOURCE}/operations/{operation_id}`,
    pathParameters: { dataset_id: datasetId, operation_id: operationId },
    query,
    caller,
  });
