import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImage } from '../support/media-fixtures';
import { type HttpAnswer, OpenApiResponses } from '../support/openapi-responses';
import { E2eApi } from './api';
import { type LocalServiceProcess, mintToken, printServiceLogOnFailure, startLocalService } from './local-service';

/**
 * The OpenAPI document against the real local service: every route is called, successes and errors, and each answer
 * (status, content type, headers, body) must be one the document served at /api/v1/openapi.json allows. At the end,
 * every documented status must have been seen, except the few listed with why they cannot be provoked here.
 */
const UPLOAD_LIMIT = 300_000;
/**
 * Statuses not provoked here: 500 needs a failing DynamoDB, S3 or Step Functions under a running service; 507 a full
 * disk (test/e2e/disk-full.test.ts has it on a tmpfs); 429 is provoked once, by create's operation quota (its other
 * causes are the per-user queue of 200 waiting requests and API Gateway throttling).
 */
const NOT_PROVOKED = new Set(['500', '507', '429']);
const MUST_SEE = new Set(['CreateDataset 429']);

let work: string;
let service: LocalServiceProcess;
let owner: string;
let stranger: string;
let busyUser: string;
let spec: OpenApiResponses;
/** Not a JWT: refused with 401. */
const ANONYMOUS = 'not-a-jwt';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** One request as `token`'s bearer (null: no Authorization header), its answer checked against the document. */
async function call(
  token: string | null,
  method: string,
  path: string,
  body?: FormData | string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    body,
    headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...headers },
  });
  const text = await response.text();
  const answer = { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
  spec.check(method, path, answer);
  return answer;
}

async function form(seeds: readonly number[], fields: Record<string, string> = {}): Promise<FormData> {
  const body = new FormData();
  for (const seed of seeds) {
    const bytes = await makeImage({ seed, width: 64, height: 64 });
    body.append('files[]', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), `img-${seed}.jpg`);
  }
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-openapi-'));
  service = await startLocalService(join(work, 'data'), {
    MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT),
    MAX_DATASETS_PER_USER: '2',
    MAX_ACTIVE_OPERATIONS_PER_USER: '1',
    // Requests of one user run concurrently, so that two with the same Idempotency-Key can overlap.
    MAX_REQUESTS_PER_USER: '8',
  });
  owner = await mintToken('openapi-owner');
  stranger = await mintToken('openapi-stranger');
  busyUser = await mintToken('openapi-busy');
  const document = await fetch(`${service.url}/api/v1/openapi.json`);
  spec = new OpenApiResponses(await document.json());
});

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the local service answers as its OpenAPI document says', { timeout: 240_000 }, () => {
  let datasetId: string;
  let emptyId: string;
  let operationPath: string;

  it('serves the document and the health check without credentials', async () => {
    for (const path of ['/api/v1/openapi.json', '/api/v1/health']) {
      expect((await call(null, 'GET', path)).status).toBe(200);
      expect((await call(null, 'GET', `${path}?verbose=1`)).status).toBe(400);
    }
  });

  it('creates a dataset from media, refusing what conflicts with it while it is indexed', async () => {
    const created = await call(owner, 'POST', '/api/v1/datasets', await form([1, 2, 3], { display_name: 'spec' }));
    expect(created.status, created.text).toBe(202);
    datasetId = created.headers.get('location')!.split('/').at(-1)!;
    operationPath = created.headers.get('operation-location')!;
    // The initial index holds the dataset: an add now is blocked.
    const blocked = await call(owner, 'POST', `/api/v1/dataset/${datasetId}/add_media`, await form([4]));
    expect(blocked.status, blocked.text).toBe(409);
    // Another user's first create runs; their second one meets the operation quota (1 at once).
    const first = await call(busyUser, 'POST', '/api/v1/datasets', await form([5], { display_name: 'busy' }));
    expect(first.status, first.text).toBe(202);
    const second = await call(busyUser, 'POST', '/api/v1/datasets', await form([6], { display_name: 'busy 2' }));
    expect(second.status, second.text).toBe(429);
    await new E2eApi(service.url, owner).waitUntilIdle(datasetId);
    await new E2eApi(service.url, busyUser).waitUntilIdle(first.json<{ id: string }>().id);
  });

  it('adds media and re-clusters, with the errors of both routes', async () => {
    const add = `/api/v1/dataset/${datasetId}/add_media`;
    const key = { 'Idempotency-Key': 'spec-add-1' };
    expect((await call(owner, 'POST', add, await form([7, 8]), key)).status).toBe(202);
    expect((await call(owner, 'POST', add, await form([9]), key)).status).toBe(422);
    expect((await call(owner, 'POST', add, new FormData())).status).toBe(400);
    expect((await call(owner, 'POST', `${add}?x=1`, await form([9]))).status).toBe(400);
    expect((await call(stranger, 'POST', add, await form([9]))).status).toBe(404);
    expect((await call(ANONYMOUS, 'POST', add, await form([9]))).status).toBe(401);
    const large = new FormData();
    large.append('files[]', new Blob([new Uint8Array(UPLOAD_LIMIT + 1)], { type: 'image/jpeg' }), 'large.jpg');
    expect((await call(owner, 'POST', add, large)).status).toBe(413);
    // A cookie-authenticated POST naming no origin fails the CSRF check.
    const csrf = await call(null, 'POST', add, await form([9]), { Cookie: `session=${owner}` });
    expect(csrf.status, csrf.text).toBe(403);
    expect((await new E2eApi(service.url, owner).waitUntilIdle(datasetId)).dataset.status_new).toBe('PARTIAL INDEX');

    const reindex = `/api/v1/dataset/${datasetId}/reindex`;
    expect((await call(owner, 'POST', reindex, undefined, { 'Idempotency-Key': 'spec-reindex' })).status).toBe(202);
    expect((await call(owner, 'POST', reindex, undefined, { 'Idempotency-Key': 'spec-reindex' })).status).toBe(202);
    expect((await call(owner, 'POST', reindex)).status).toBe(409);
    expect((await call(owner, 'POST', `${reindex}?now=1`)).status).toBe(400);
    expect((await call(stranger, 'POST', reindex)).status).toBe(404);
    expect((await call(ANONYMOUS, 'POST', reindex)).status).toBe(401);
    expect((await call(null, 'POST', reindex, undefined, { Cookie: `session=${owner}` })).status).toBe(403);
    const reindexPath = (
      await new E2eApi(service.url, owner).request('GET', `/api/v1/dataset/${datasetId}/operations?limit=1`)
    ).json<{
      items: { operation_id: string }[];
    }>().items[0]!.operation_id;
    expect((await new E2eApi(service.url, owner).waitUntilIdle(datasetId)).dataset.status_new).toBe('READY');
    expect(reindexPath).toBeTruthy();
  });

  it('creates an empty dataset as JSON, refusing bad bodies and the dataset quota', async () => {
    const json = { 'Content-Type': 'application/json' };
    const empty = await call(owner, 'POST', '/api/v1/datasets', JSON.stringify({ display_name: 'empty' }), json);
    expect(empty.status, empty.text).toBe(202);
    emptyId = empty.json<{ id: string }>().id;
    expect((await call(owner, 'POST', '/api/v1/datasets', JSON.stringify({ name: 'x' }), json)).status).toBe(400);
    expect(
      (await call(owner, 'POST', '/api/v1/datasets', JSON.stringify({ display_name: 'third' }), json)).status,
    ).toBe(403);
    expect((await call(ANONYMOUS, 'POST', '/api/v1/datasets', '{}', json)).status).toBe(401);
    const large = new FormData();
    large.append('display_name', 'large');
    large.append('files[]', new Blob([new Uint8Array(UPLOAD_LIMIT + 1)], { type: 'image/jpeg' }), 'large.jpg');
    expect((await call(owner, 'POST', '/api/v1/datasets', large)).status).toBe(413);
    const key = { 'Idempotency-Key': 'spec-create', ...json };
    expect((await call(busyUser, 'POST', '/api/v1/datasets', JSON.stringify({ display_name: 'k' }), key)).status).toBe(
      202,
    );
    const other = JSON.stringify({ display_name: 'other' });
    expect((await call(busyUser, 'POST', '/api/v1/datasets', other, key)).status).toBe(422);
    // The same key sent five times at once: the first one runs, the others meet it in progress (409) or, when it has
    // already finished, replay its 202. Which one they meet depends on scheduling, so the race is run again (a new
    // user and key each time) until a request has met the first one in progress.
    const body = JSON.stringify({ display_name: 'race' });
    const attempts: number[][] = [];
    while (attempts.length < 10 && !attempts.at(-1)?.includes(409)) {
      const racer = await mintToken(`openapi-racer-${attempts.length}`);
      const race = { 'Idempotency-Key': `spec-race-${attempts.length}`, ...json };
      const statuses = await Promise.all(
        Array.from({ length: 5 }, async () => (await call(racer, 'POST', '/api/v1/datasets', body, race)).status),
      );
      expect(statuses.filter((status) => status === 202).length).toBeGreaterThanOrEqual(1);
      expect(
        statuses.every((status) => status === 202 || status === 409),
        String(statuses),
      ).toBe(true);
      attempts.push(statuses);
    }
    expect(attempts.at(-1)).toContain(409);
    // Never indexed: nothing to add to; READY: nothing to re-cluster.
    expect((await call(owner, 'POST', `/api/v1/dataset/${emptyId}/add_media`, await form([10]))).status).toBe(400);
    expect((await call(owner, 'POST', `/api/v1/dataset/${emptyId}/reindex`)).status).toBe(409);
  });

  it('answers every read route, and its 400, 401 and 404', async () => {
    const base = `/api/v1/dataset/${datasetId}`;
    const clusters = (await call(owner, 'GET', `${base}/clusters`)).json<{ items: { cluster_id: string }[] }>();
    const clusterId = clusters.items[0]!.cluster_id;
    const operations = (await call(owner, 'GET', `${base}/operations`)).json<{ items: unknown[] }>();
    expect(operations.items.length).toBeGreaterThanOrEqual(3);
    const reads: [path: string, badQuery: string, missing: string][] = [
      ['/api/v1/datasets', 'limit=0', ''],
      [base, 'x=1', `/api/v1/dataset/${UNKNOWN}`],
      [`${base}/media`, 'cluster_id=%2F', `/api/v1/dataset/${UNKNOWN}/media`],
      [`${base}/media?cluster_id=${clusterId}`, 'cursor=nope', ''],
      [`${base}/media?limit=2`, 'batch_id=%2F', ''],
      [`${base}/clusters`, 'cursor=nope', `/api/v1/dataset/${UNKNOWN}/clusters`],
      [`${base}/clusters/${clusterId}`, 'limit=1001', `${base}/clusters/c99999999`],
      [`${base}/operations`, 'limit=x', `/api/v1/dataset/${UNKNOWN}/operations`],
      [operationPath, 'x=1', `${base}/operations/${UNKNOWN}`],
      [`/api/v1/datasets?limit=1`, 'sort=name', ''],
    ];
    for (const [path, badQuery, missing] of reads) {
      expect((await call(owner, 'GET', path)).status, path).toBe(200);
      const separator = path.includes('?') ? '&' : '?';
      expect((await call(owner, 'GET', `${path}${separator}${badQuery}`)).status, badQuery).toBe(400);
      expect((await call(ANONYMOUS, 'GET', path)).status).toBe(401);
      if (missing) expect((await call(owner, 'GET', missing)).status, missing).toBe(404);
    }
    expect((await call(stranger, 'GET', base)).status).toBe(404);
  });

  it('answers an unknown path and a wrong method in the error shape of the document', async () => {
    const api = new E2eApi(service.url, owner);
    const unknownPath = await api.request('GET', '/api/v1/nothing-here');
    expect(unknownPath.status).toBe(404);
    spec.checkError(unknownPath);
    const wrongMethod: HttpAnswer = await api.request('POST', '/api/v1/health');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    spec.checkError(wrongMethod);
  });

  it('has seen every status the document declares, except those that cannot be provoked here', () => {
    const notSeen = spec.documented().filter((key) => !spec.seen.has(key));
    expect(notSeen.filter((key) => MUST_SEE.has(key) || !NOT_PROVOKED.has(key.split(' ')[1]!))).toEqual([]);
  });
});
