import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/environment';
import { makeImage } from '../support/media-fixtures';
import { E2eApi } from './api';
import {
  E2E_AUTH,
  type LocalServiceProcess,
  mintToken,
  printServiceLogOnFailure,
  startLocalService,
} from './local-service';

/**
 * The probes of issue 14, against `npm start`: one user reaching files and objects that are not theirs (server paths,
 * another tenant's staging and datasets through a manifest), existence oracles, quotas, paging, future-dated tokens,
 * and failure reasons that name the real cause.
 */
const SERVICE_BUCKET = 'add-media-local';
const SOURCE_BUCKET = 'tenant-b-source';

const work = mkdtempSync(join(tmpdir(), 'e2e-tenants-'));
const root = join(work, 'media');
const outside = join(work, 'outside');
const dataDir = join(work, 'data');

let service: LocalServiceProcess;
let userA: E2eApi;
let userB: E2eApi;
let s3: S3Client;
let datasetA: string;
let datasetB: string;
let seed = 1;

const jpeg = async () => makeImage({ seed: seed++, width: 64, height: 64 });
const accepted = (answer: { status: number; text: string }) => expect(answer.status, answer.text).toBe(202);

async function processRoute(api: E2eApi, route: string, query: Record<string, string>) {
  return api.request('GET', `/api/v1/process/${route}?${new URLSearchParams(query)}`);
}

async function createFromFolder(api: E2eApi, name: string, folder: string): Promise<string> {
  const answer = await processRoute(api, 'create', { name, path: folder });
  accepted(answer);
  const id = answer.json<{ id: string }>().id;
  expect((await api.waitUntilIdle(id)).dataset.status_new).toBe('READY');
  return id;
}

beforeAll(async () => {
  mkdirSync(join(root, 'b-initial'), { recursive: true });
  mkdirSync(join(root, 'a-initial'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'b-initial', 'b1.jpg'), await jpeg());
  writeFileSync(join(root, 'a-initial', 'a1.jpg'), await jpeg());
  writeFileSync(join(outside, 'secret.jpg'), await jpeg());
  writeFileSync(join(outside, 'private.jpg'), await jpeg());
  symlinkSync(outside, join(root, 'link-to-outside'));
  service = await startLocalService(dataDir, {
    LOCAL_MEDIA_ROOTS: root,
    MAX_DATASETS_PER_USER: '3',
    MAX_ACTIVE_OPERATIONS_PER_USER: '1',
  });
  userA = new E2eApi(service.url, await mintToken('tenant-a'));
  userB = new E2eApi(service.url, await mintToken('tenant-b'));
  s3 = new S3Client({
    endpoint: service.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  await s3.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
  // A's media are uploads: copied into the service's bucket, under datasets/{A}/…/media/.
  const form = new FormData();
  form.append('display_name', 'tenant A');
  for (const name of ['a1.jpg', 'a2.jpg']) form.append('files[]', new Blob([new Uint8Array(await jpeg())]), name);
  const createdA = await userA.request('POST', '/api/v1/datasets', form);
  accepted(createdA);
  datasetA = createdA.json<{ id: string }>().id;
  expect((await userA.waitUntilIdle(datasetA)).dataset.status_new).toBe('READY');
  datasetB = await createFromFolder(userB, 'tenant B', join(root, 'b-initial'));
}, 240_000);

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  s3?.destroy();
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('local paths are confined to LOCAL_MEDIA_ROOTS', () => {
  it.each([
    ['a server folder', () => '/root'],
    ['an existing folder of media outside the roots', () => outside],
    ['an existing file outside the roots', () => join(outside, 'secret.jpg')],
    ['a missing file', () => join(outside, 'missing.jpg')],
    ['a symbolic link under the root that leads outside', () => join(root, 'link-to-outside')],
    ["the service's own files through /proc/self/cwd", () => '/proc/self/cwd'],
    ['DATA_DIR', () => dataDir],
  ])('add_media refuses %s with the same 400, leaving the dataset as it was', async (_, path) => {
    const before = await userB.dataset(datasetB);
    const answer = await processRoute(userB, 'add_media', { dataset_id: datasetB, path: path() });
    expect([answer.status, answer.json()]).toEqual([
      400,
      { detail: `Invalid path or no media files found at ${path()}` },
    ]);
    expect(await userB.dataset(datasetB)).toEqual(before);
  });

  it('create refuses a path outside the roots and creates nothing', async () => {
    const before = await userB.request('GET', '/api/v1/datasets');
    const answer = await processRoute(userB, 'create', { name: 'stolen', path: outside });
    expect([answer.status, answer.json()]).toEqual([
      400,
      { detail: `Invalid path or no media files found at ${outside}` },
    ]);
    expect((await userB.request('GET', '/api/v1/datasets')).json()).toEqual(before.json());
  });

  it('skips the entries of a local manifest outside the roots with one reason that describes none of them', async () => {
    mkdirSync(join(root, 'b-add'), { recursive: true });
    writeFileSync(join(root, 'b-add', 'new.jpg'), await jpeg());
    const entries = [
      join(outside, 'secret.jpg'),
      '/etc/shadow',
      '/nonexistent/file.png',
      `${dataDir}/models`,
      'new.jpg',
    ];
    writeFileSync(join(root, 'b-add', 'list.txt'), entries.join('\n'));
    accepted(await processRoute(userB, 'add_media', { dataset_id: datasetB, path: join(root, 'b-add', 'list.txt') }));
    const { dataset } = await userB.waitUntilIdle(datasetB);
    expect(dataset.last_operation).toMatchObject({ status: 'SUCCEEDED', n_added: 1 });
    const reasons = (dataset.last_operation?.skipped ?? []).map((skip) => skip.reason);
    expect(reasons).toEqual(Array(4).fill('not a readable file under LOCAL_MEDIA_ROOTS'));
    const sources = (await userB.media(datasetB)).map((item) => item.source_uri);
    expect(sources.some((uri) => uri.startsWith(outside) || uri.startsWith(dataDir))).toBe(false);
  });
});

describe("manifests never reach the service's own bucket", () => {
  it("skips another tenant's staging and dataset keys listed in a manifest, reading none of them", async () => {
    const listing = await s3.send(
      new ListObjectsV2Command({ Bucket: SERVICE_BUCKET, Prefix: `datasets/${datasetA}/` }),
    );
    const aMedia = (listing.Contents ?? []).map((object) => object.Key!).filter((key) => key.includes('/media/'));
    const aStaged = `staging/${datasetA}/some-operation/files/0-a1.jpg`;
    await s3.send(new PutObjectCommand({ Bucket: SERVICE_BUCKET, Key: aStaged, Body: await jpeg() }));
    const entries = [...aMedia, aStaged].map((key) => `s3://${SERVICE_BUCKET}/${key}`);
    expect(entries.length).toBeGreaterThan(1);
    for (const [name, body] of [
      ['steal.txt', entries.join('\n')],
      ['steal.csv', `path\n${entries.join('\n')}\n`],
    ]) {
      await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: `lists/${name}`, Body: body }));
      const form = new FormData();
      form.append('s3_uri', `s3://${SOURCE_BUCKET}/lists/${name}`);
      accepted(await userB.request('POST', `/api/v1/dataset/${datasetB}/add_media`, form));
      const { dataset } = await userB.waitUntilIdle(datasetB);
      expect(dataset.status_new).toBe('ERROR');
      expect(dataset.error).toContain('location not allowed: its bucket is not a permitted source');
      const sources = (await userB.media(datasetB)).map((item) => item.source_uri);
      expect(sources.some((uri) => uri.includes(datasetA) || uri.includes(SERVICE_BUCKET))).toBe(false);
    }
  });
});

describe('failure reasons name the file and the real cause', () => {
  /** A PNG whose header says 60000×60000: decoders refuse it by its pixel count before reading pixels. */
  function hugePng(): Buffer {
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return Buffer.concat([length, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(60_000, 0);
    header.writeUInt32BE(60_000, 4);
    header.set([8, 2, 0, 0, 0], 8);
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(Buffer.alloc(60_001))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }

  it.each([
    ['huge.png', () => hugePng(), /huge\.png: image cannot be decoded \(.*pixel limit/i],
    [
      'corrupt.jpg',
      async () => Buffer.concat([(await jpeg()).subarray(0, 200), Buffer.alloc(2000, 0x55)]),
      /corrupt\.jpg: image cannot be decoded/,
    ],
  ])('an upload whose only file is %s fails with that file and the decoder’s reason', async (name, bytes, reason) => {
    const form = new FormData();
    form.append('files[]', new Blob([new Uint8Array(await bytes())]), name);
    accepted(await userB.request('POST', `/api/v1/dataset/${datasetB}/add_media`, form));
    const { dataset } = await userB.waitUntilIdle(datasetB);
    expect(dataset.status_new).toBe('ERROR');
    expect(dataset.error).toMatch(reason);
    expect(dataset.error).toMatch(/^No usable media among the uploaded files/);
    expect(dataset.error).not.toMatch(/S3/);
  });
});

describe('quotas and paging', () => {
  it('refuses a dataset beyond MAX_DATASETS_PER_USER with 403', async () => {
    const user = new E2eApi(service.url, await mintToken('tenant-c'));
    const create = (name: string) =>
      user.request('POST', '/api/v1/datasets', JSON.stringify({ display_name: name }), {
        'content-type': 'application/json',
      });
    for (const name of ['one', 'two', 'three']) accepted(await create(name));
    const refused = await create('four');
    expect([refused.status, refused.json()]).toEqual([
      403,
      { detail: 'Dataset quota reached: a user may own at most 3 datasets (MAX_DATASETS_PER_USER)' },
    ]);

    const all = (await user.request('GET', '/api/v1/datasets')).json<{ display_name: string }[]>();
    expect(all.map((dataset) => dataset.display_name)).toEqual(['one', 'two', 'three']);
    const first = (await user.request('GET', '/api/v1/datasets?limit=2')).json<{
      items: { display_name: string }[];
      next_cursor: string | null;
    }>();
    expect(first.items.map((dataset) => dataset.display_name)).toEqual(['one', 'two']);
    const second = (
      await user.request('GET', `/api/v1/datasets?${new URLSearchParams({ cursor: first.next_cursor! })}`)
    ).json<{ items: { display_name: string }[]; next_cursor: string | null }>();
    expect(second).toMatchObject({ items: [{ display_name: 'three' }], next_cursor: null });
    const bad = await user.request('GET', '/api/v1/datasets?cursor=not-a-cursor');
    expect([bad.status, bad.json()]).toEqual([
      400,
      { detail: "Query parameter 'cursor' is not a cursor of this listing" },
    ]);
  });

  it('refuses an operation beyond MAX_ACTIVE_OPERATIONS_PER_USER with 429, before staging or locking', async () => {
    const user = new E2eApi(service.url, await mintToken('tenant-d'));
    const first = await processRoute(user, 'create', { name: 'running', path: join(root, 'a-initial') });
    accepted(first);
    const second = await processRoute(user, 'create', { name: 'waiting', path: join(root, 'a-initial') });
    expect([second.status, second.json()]).toEqual([
      429,
      {
        detail:
          "Too many operations running: at most 1 at once on one user's datasets (MAX_ACTIVE_OPERATIONS_PER_USER); retry when one has finished",
      },
    ]);
    await user.waitUntilIdle(first.json<{ id: string }>().id);
    expect((await user.request('GET', '/api/v1/datasets')).json()).toHaveLength(1);
  });
});

describe('tokens', () => {
  it('refuses a token issued a day in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: 'tenant-b' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(E2E_AUTH.AUTH_ISSUER)
      .setAudience(E2E_AUTH.AUTH_AUDIENCE)
      .setIssuedAt(now + 86_400)
      .setExpirationTime(now + 90_000)
      .sign(new TextEncoder().encode(E2E_AUTH.AUTH_JWT_SECRET));
    const answer = await new E2eApi(service.url, token).request('GET', '/api/v1/datasets');
    expect([answer.status, answer.json()]).toEqual([401, { detail: 'Not authenticated' }]);
  });
});
