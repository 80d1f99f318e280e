import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type ServedRoute } from '../../local/http/api-server';

const TOKEN = 'good-token';
const MAX_BODY = 1024;
const received: APIGatewayProxyEvent[] = [];

const echo = (name: string, method: string, resource: string): ServedRoute => ({
  name,
  method,
  resource,
  serve: async (event) => {
    received.push(event);
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) };
  },
});

const routes: ServedRoute[] = [
  echo('get-dataset', 'GET', '/api/v1/dataset/{dataset_id}'),
  echo('add-media', 'POST', '/api/v1/dataset/{dataset_id}/add_media'),
  {
    name: 'binary',
    method: 'GET',
    resource: '/binary',
    serve: async () => ({
      statusCode: 202,
      multiValueHeaders: { 'X-Many': ['a', 'b'] },
      headers: { Location: '/x' },
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    }),
  },
  { ...echo('health', 'GET', '/api/v1/health'), public: true },
  { name: 'crash', method: 'GET', resource: '/crash', serve: async () => Promise.reject(new Error('boom')) },
];

let base: string;
const server = createApiServer({
  routes,
  maxBodyBytes: MAX_BODY,
  tooLargeDetail: 'too large, use s3_uri',
  authenticate: async (headers) => {
    const authorization = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1]?.[0];
    if (authorization === 'Bearer broken') throw new Error('key source down');
    return authorization === `Bearer ${TOKEN}`
      ? { sub: 'alice', authMethod: 'bearer' }
      : { challenge: authorization ? 'Bearer error="invalid_token"' : 'Bearer' };
  },
  log: () => undefined,
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const auth = { Authorization: `Bearer ${TOKEN}` };
const lastEvent = () => received.at(-1)!;

describe('local API server (API Gateway in front of the handlers)', () => {
  it('gives the handler a REST proxy event with path parameters, query, headers and the authorizer context', async () => {
    const response = await fetch(`${base}/api/v1/dataset/ds%201?limit=5&tag=a&tag=b`, {
      headers: { ...auth, 'X-Trace': 'one' },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'get-dataset' });
    const event = lastEvent();
    expect(event).toMatchObject({
      resource: '/api/v1/dataset/{dataset_id}',
      path: '/api/v1/dataset/ds%201',
      httpMethod: 'GET',
      pathParameters: { dataset_id: 'ds 1' },
      queryStringParameters: { limit: '5', tag: 'b' },
      multiValueQueryStringParameters: { limit: ['5'], tag: ['a', 'b'] },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        authorizer: { sub: 'alice', auth_method: 'bearer', principalId: 'alice' },
        resourcePath: '/api/v1/dataset/{dataset_id}',
      },
    });
    expect(event.headers['X-Trace']).toBe('one'); // names keep the client's spelling, as on API Gateway
    expect(event.multiValueHeaders['X-Trace']).toEqual(['one']);
  });

  it('passes a multipart body base64-encoded, as a binary media type, and a JSON body as text', async () => {
    const form = new FormData();
    form.append('s3_uri', 's3://bucket/folder/');
    form.append('files[]', new Blob([new Uint8Array([255, 216, 255, 0])]), 'a.jpg');
    await fetch(`${base}/api/v1/dataset/ds1/add_media`, { method: 'POST', headers: auth, body: form });
    const multipart = lastEvent();
    expect(multipart.isBase64Encoded).toBe(true);
    const decoded = Buffer.from(multipart.body!, 'base64');
    expect(decoded.includes(Buffer.from([255, 216, 255, 0]))).toBe(true);
    expect(decoded.toString('latin1')).toContain('s3://bucket/folder/');

    await fetch(`${base}/api/v1/dataset/ds1/add_media`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
    expect(lastEvent()).toMatchObject({ isBase64Encoded: false, body: '{"a":1}' });
  });

  it('answers 401 Not authenticated without valid credentials and never calls the handler', async () => {
    const before = received.length;
    for (const [headers, challenge] of [
      [{}, 'Bearer'],
      [{ Authorization: 'Bearer wrong' }, 'Bearer error="invalid_token"'],
    ] as [Record<string, string>, string][]) {
      const response = await fetch(`${base}/api/v1/dataset/ds1`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(challenge);
      expect(await response.json()).toEqual({ detail: 'Not authenticated' });
    }
    expect(received.length).toBe(before);
  });

  it('serves a public route without credentials and without asking the authorizer', async () => {
    for (const headers of [{}, { Authorization: 'Bearer broken' }] as Record<string, string>[]) {
      const response = await fetch(`${base}/api/v1/health`, { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ name: 'health' });
      expect(lastEvent().requestContext.authorizer).toBeFalsy();
    }
  });

  it('answers 500 when the authorizer itself fails', async () => {
    const response = await fetch(`${base}/api/v1/dataset/ds1`, { headers: { Authorization: 'Bearer broken' } });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ detail: 'Authentication is temporarily unavailable' });
  });

  it('answers 404 for an unknown path, like the deployed API', async () => {
    const response = await fetch(`${base}/api/v1/nothing`, { headers: auth });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not Found' });
  });

  it('answers 405 with Allow for a known path with another method, before asking for credentials', async () => {
    const before = received.length;
    for (const headers of [auth, {}]) {
      const response = await fetch(`${base}/api/v1/dataset/ds1/add_media`, { headers });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(await response.json()).toEqual({ detail: 'Method GET is not allowed here; use POST' });
    }
    const deleted = await fetch(`${base}/api/v1/dataset/ds1`, { method: 'DELETE', headers: auth });
    expect(deleted.status).toBe(405);
    expect(deleted.headers.get('allow')).toBe('GET');
    expect(received.length).toBe(before);
  });

  it('answers 413 for a body over the limit, with or without Expect: 100-continue', async () => {
    const before = received.length;
    const big = Buffer.alloc(MAX_BODY + 1, 120);
    const plain = await fetch(`${base}/api/v1/dataset/ds1/add_media`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=x' },
      body: big,
    });
    expect(plain.status).toBe(413);
    expect(await plain.json()).toEqual({ detail: 'too large, use s3_uri' });

    const expectContinue = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${base}/api/v1/dataset/ds1/add_media`, {
        method: 'POST',
        headers: {
          ...auth,
          'Content-Type': 'multipart/form-data; boundary=x',
          'Content-Length': big.length,
          Expect: '100-continue',
        },
      });
      request.on('continue', () => request.end(big));
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
      request.on('error', reject);
      request.flushHeaders();
    });
    expect(expectContinue).toEqual({ status: 413, body: JSON.stringify({ detail: 'too large, use s3_uri' }) });
    expect(received.length).toBe(before);

    const atLimit = await fetch(`${base}/api/v1/dataset/ds1/add_media`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=x' },
      body: Buffer.alloc(MAX_BODY, 120),
    });
    expect(atLimit.status).toBe(200);
  });

  it('writes the proxy result back: status, single and multi-value headers, base64 body decoded', async () => {
    const response = await fetch(`${base}/binary`, { headers: auth });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/x');
    expect(response.headers.get('x-many')).toBe('a, b');
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0, 1, 2, 255]);
  });

  it('answers 502 Internal server error when a handler throws, as API Gateway does for a failed Lambda', async () => {
    const response = await fetch(`${base}/crash`, { headers: auth });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: 'Internal server error' });
  });
});
