import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import { LOCAL_CREDENTIALS } from '../../local/environment';
import { makeImage, makeTgz, makeVideo, makeZip } from '../support/media-fixtures';
import { type DatasetView, E2eApi } from './api';
import { type LocalServiceProcess, mintToken, printServiceLogOnFailure, startLocalService } from './local-service';

/**
 * `npm start` in the background, driven over HTTP like a client would: a dataset created from generated media, then
 * media added by every route the API offers, each watched from READ ONLY to PARTIAL INDEX, then re-clustered.
 */
const SOURCE_BUCKET = 'e2e-source';

let work: string;
let service: LocalServiceProcess;
let api: E2eApi;
let s3: S3Client;
let seed = 100;

const image = async () => makeImage({ seed: seed++, width: 64, height: 64 });
const imageFile = async () => new Blob([new Uint8Array(await image())], { type: 'image/jpeg' });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-routes-'));
  service = await startLocalService(join(work, 'data'), { LOCAL_MEDIA_ROOTS: work });
  api = new E2eApi(service.url, await mintToken('e2e-owner'));
  s3 = new S3Client({
    endpoint: service.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  await s3.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
});

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A dataset of its own for each test (one failure stays one failure): created from one image, indexed to READY. */
async function readyDataset(): Promise<string> {
  const form = new FormData();
  form.append('display_name', 'e2e routes');
  form.append('files[]', await imageFile(), 'first.jpg');
  const answer = await api.request('POST', '/api/v1/datasets', form);
  expect(answer.status, answer.text).toBe(202);
  const id = answer.json<{ id: string }>().id;
  const { dataset } = await api.waitUntilIdle(id);
  expect(dataset.status_new, JSON.stringify(dataset)).toBe('READY');
  return id;
}

/** Starts an add, checks the 202, waits for the end; returns the statuses seen and the dataset before and after. */
async function addMedia(datasetId: string, start: () => Promise<{ status: number; headers: Headers; text: string }>) {
  const before = await api.dataset(datasetId);
  const answer = await start();
  expect(answer.status, answer.text).toBe(202);
  expect(answer.text).toBe('');
  const operationId = answer.headers.get('x-operation-id')!;
  expect(answer.headers.get('location')).toBe(`/api/v1/dataset/${datasetId}`);
  const operationPath = answer.headers.get('operation-location')!;
  expect(operationPath).toBe(`/api/v1/dataset/${datasetId}/operations/${operationId}`);
  const { dataset, seen } = await api.waitUntilIdle(datasetId);
  const operation = (await api.request('GET', operationPath)).json<{
    status: string;
    n_added: number;
    progress: number;
  }>();
  expect(operation).toMatchObject({ status: 'SUCCEEDED', progress: 100, n_added: dataset.last_operation?.n_added });
  return { before, after: dataset, seen, operationId };
}

const postAddMedia = (datasetId: string, form: FormData) =>
  api.request('POST', `/api/v1/dataset/${datasetId}/add_media`, form);

function expectPartialIndex(
  result: { before: DatasetView; after: DatasetView; seen: string[] },
  images: number,
  videos = 0,
) {
  expect(result.after.last_operation, JSON.stringify(result.after)).toMatchObject({
    status: 'SUCCEEDED',
    n_added: images + videos,
  });
  expect(result.seen[0]).toBe('READ ONLY');
  expect(result.seen.at(-1)).toBe('PARTIAL INDEX');
  expect(result.after.n_images).toBe(result.before.n_images + images);
  expect(result.after.n_videos).toBe(result.before.n_videos + videos);
}

async function expectBatchVisible(datasetId: string, operationId: string, count: number) {
  const batch = await api.media(datasetId, operationId);
  expect(batch).toHaveLength(count);
  expect(batch.every((item) => item.batch_id === operationId && item.cluster_id)).toBe(true);
}

// Pipelines run real workers on a 2-core CI machine shared with other suites: generous per-test limits. The tests run
// in a random order (vitest prints the seed), so one that leans on another's dataset fails at once.
describe('local service end to end: add media by every route', { timeout: 120_000, shuffle: true }, () => {
  it('creates a dataset from generated images and a short video and indexes it to READY', async () => {
    const form = new FormData();
    form.append('display_name', 'e2e routes');
    for (let i = 0; i < 4; i++) form.append('files[]', await imageFile(), `start-${i}.jpg`);
    const video = await makeVideo(join(work, 'clip.mp4'), { seconds: 1, fps: 5, width: 64, height: 48 });
    form.append('files[]', new Blob([readFileSync(video)], { type: 'video/mp4' }), 'clip.mp4');

    const answer = await api.request('POST', '/api/v1/datasets', form);
    expect(answer.status, answer.text).toBe(202);
    const datasetId = answer.json<{ id: string }>().id;
    const { dataset, seen } = await api.waitUntilIdle(datasetId);

    expect(seen[0]).toBe('INDEXING');
    expect(dataset).toMatchObject({ status_new: 'READY', n_images: 4, n_videos: 1, error: null });
    // Local mode's default encoder, with its calibrated threshold stored for every later batch.
    expect(dataset.embedding_config).toMatchObject({
      model_id: LOCAL_EMBEDDING_CONFIG.model_id,
      similarity_threshold: LOCAL_EMBEDDING_CONFIG.similarity_threshold,
    });
    expect(dataset.similarity_threshold).toBe(LOCAL_EMBEDDING_CONFIG.similarity_threshold);
    expect(await api.media(datasetId)).toHaveLength(5);
  });

  it('adds uploaded files[]; while it runs, another add_media and a reindex answer 409 naming the task', async () => {
    const datasetId = await readyDataset();
    const form = new FormData();
    for (let i = 0; i < 2; i++) form.append('files[]', await imageFile(), `upload-${i}.jpg`);
    const second = new FormData();
    second.append('files[]', await imageFile(), 'second.jpg');

    const result = await addMedia(datasetId, async () => {
      const accepted = await postAddMedia(datasetId, form);
      const busyAdd = await postAddMedia(datasetId, second);
      const busyReindex = await api.request('POST', `/api/v1/dataset/${datasetId}/reindex`);
      expect([busyAdd.status, busyAdd.json()]).toEqual([
        409,
        { detail: "Operation 'add_media' is blocked while MEDIA_ADDITION task is running" },
      ]);
      expect([busyReindex.status, busyReindex.json()]).toEqual([
        409,
        { detail: "Operation 'reindex' is blocked while MEDIA_ADDITION task is running" },
      ]);
      return accepted;
    });

    expectPartialIndex(result, 2);
    await expectBatchVisible(datasetId, result.operationId, 2);
  });

  it.each([
    ['zip', 'media.zip', (entries: { name: string; data: Buffer }[]) => makeZip(entries)],
    ['tar.gz', 'media.tar.gz', (entries: { name: string; data: Buffer }[]) => makeTgz(entries)],
  ])('adds an uploaded %s archive', async (_kind, name, pack) => {
    const datasetId = await readyDataset();
    const archive = pack([
      { name: 'a/one.jpg', data: await image() },
      { name: 'a/b/two.jpg', data: await image() },
    ]);
    const form = new FormData();
    form.append('archive', new Blob([new Uint8Array(archive)]), name);

    const result = await addMedia(datasetId, () => postAddMedia(datasetId, form));

    expectPartialIndex(result, 2);
    await expectBatchVisible(datasetId, result.operationId, 2);
  });

  it('adds an S3 folder of the embedded S3, recursively', async () => {
    const datasetId = await readyDataset();
    for (const key of ['folder/x.jpg', 'folder/deeper/y.jpg']) {
      await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: await image() }));
    }
    const form = new FormData();
    form.append('s3_uri', `s3://${SOURCE_BUCKET}/folder/`);

    const result = await addMedia(datasetId, () => postAddMedia(datasetId, form));

    expectPartialIndex(result, 2);
    const sources = (await api.media(datasetId, result.operationId)).map((item) => item.source_uri).sort();
    expect(sources).toEqual([`s3://${SOURCE_BUCKET}/folder/deeper/y.jpg`, `s3://${SOURCE_BUCKET}/folder/x.jpg`]);
  });

  it.each([
    ['csv', (keys: string[]) => Buffer.from(`path,label\n${keys.map((key) => `${key},x`).join('\n')}\n`)],
    ['txt', (keys: string[]) => Buffer.from(`# media\n${keys.join('\n')}\n`)],
    [
      'parquet',
      (keys: string[]) =>
        Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'path', data: keys, type: 'STRING' }] })),
    ],
  ])('adds the media a %s manifest lists (keys relative to the manifest)', async (format, manifest) => {
    const datasetId = await readyDataset();
    const keys = [`${format}/m1.jpg`, `${format}/sub/m2.jpg`];
    for (const key of keys)
      await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: `manifests/${key}`, Body: await image() }));
    await s3.send(
      new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: `manifests/list.${format}`, Body: manifest(keys) }),
    );
    const form = new FormData();
    form.append('s3_uri', `s3://${SOURCE_BUCKET}/manifests/list.${format}`);

    const result = await addMedia(datasetId, () => postAddMedia(datasetId, form));

    expectPartialIndex(result, 2);
    await expectBatchVisible(datasetId, result.operationId, 2);
  });

  it('adds a local folder through the on-prem route GET /api/v1/process/add_media', async () => {
    const datasetId = await readyDataset();
    const folder = join(work, 'on-prem');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    writeFileSync(join(folder, 'p1.jpg'), await image());
    writeFileSync(join(folder, 'nested', 'p2.jpg'), await image());

    const result = await addMedia(datasetId, () =>
      api.request('GET', `/api/v1/process/add_media?${new URLSearchParams({ dataset_id: datasetId, path: folder })}`),
    );

    expectPartialIndex(result, 2);
    await expectBatchVisible(datasetId, result.operationId, 2);
  });

  it('answers the on-prem routes like the API: missing parameters, unknown dataset, CSRF for a cookie alone', async () => {
    const datasetId = await readyDataset();
    const missing = await api.request('GET', `/api/v1/process/add_media?dataset_id=${datasetId}`);
    expect([missing.status, missing.json()]).toEqual([400, { detail: "Query parameter 'path' is required" }]);
    const unknown = await api.request('POST', '/api/v1/process/reindex?dataset_id=no-such-dataset');
    expect([unknown.status, unknown.json()]).toEqual([404, { detail: 'Dataset not found' }]);
    const cookieOnly = await fetch(`${service.url}/api/v1/process/reindex?dataset_id=${datasetId}`, {
      headers: { Cookie: `session=${await mintToken('e2e-owner')}` },
    });
    expect(cookieOnly.status).toBe(403);
    expect(((await cookieOnly.json()) as { detail: string }).detail).toMatch(/^CSRF check failed: /);
    expect((await api.dataset(datasetId)).status_new).toBe('READY');
  });

  it('re-clusters on reindex: INDEXING, then READY', async () => {
    const datasetId = await readyDataset();
    const form = new FormData();
    form.append('files[]', await imageFile(), 'before-reindex.jpg');
    expectPartialIndex(await addMedia(datasetId, () => postAddMedia(datasetId, form)), 1);
    const answer = await api.request('POST', `/api/v1/dataset/${datasetId}/reindex`);
    expect(answer.status, answer.text).toBe(202);
    const { dataset, seen } = await api.waitUntilIdle(datasetId);

    expect(seen).toEqual(['INDEXING', 'READY']);
    expect(dataset.last_operation).toMatchObject({ type: 'REINDEX', status: 'SUCCEEDED' });
    const clusters = await api.request('GET', `/api/v1/dataset/${datasetId}/clusters`);
    expect(clusters.status).toBe(200);
    const items = clusters.json<{ items: { cluster_id: string; size: number; representative_media_id: string }[] }>()
      .items;
    expect(items.length).toBeGreaterThan(0);

    // Every cluster lists exactly its size in members, the representative first; the media filter agrees.
    for (const cluster of items) {
      const detail = await api.request('GET', `/api/v1/dataset/${datasetId}/clusters/${cluster.cluster_id}?limit=1000`);
      const members = detail.json<{ items: { media_id: string; cluster_id: string }[] }>().items;
      expect(members.map((member) => member.cluster_id)).toEqual(members.map(() => cluster.cluster_id));
      expect(members).toHaveLength(cluster.size);
      expect(members[0]?.media_id).toBe(cluster.representative_media_id);
      const filtered = await api.request('GET', `/api/v1/dataset/${datasetId}/media?cluster_id=${cluster.cluster_id}`);
      expect(
        filtered
          .json<{ items: { media_id: string }[] }>()
          .items.map((m) => m.media_id)
          .sort(),
      ).toEqual(members.map((member) => member.media_id).sort());
    }
    const operations = (await api.request('GET', `/api/v1/dataset/${datasetId}/operations`)).json<{
      items: { type: string; status: string }[];
    }>();
    expect(operations.items[0]).toMatchObject({ type: 'REINDEX', status: 'SUCCEEDED' });
    expect(operations.items.at(-1)).toMatchObject({ type: 'INITIAL_INDEX', status: 'SUCCEEDED' });
  });

  it('answers the health check without credentials, and 400 naming an unknown query parameter', async () => {
    const health = await fetch(`${service.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const unknown = await api.request('GET', '/api/v1/datasets?page=2');
    expect(unknown.status).toBe(400);
    expect(unknown.json<{ detail: string }>().detail).toBe(
      "Unknown query parameter 'page'; this route takes 'cursor', 'limit'",
    );
  });

  it('with auto_reindex=true goes from READ ONLY through INDEXING to READY without stopping at PARTIAL INDEX', async () => {
    const datasetId = await readyDataset();
    const form = new FormData();
    form.append('files[]', await imageFile(), 'auto.jpg');
    form.append('auto_reindex', 'true');

    const result = await addMedia(datasetId, () => postAddMedia(datasetId, form));

    expect(result.seen[0]).toBe('READ ONLY');
    expect(result.seen).not.toContain('PARTIAL INDEX');
    expect(result.seen.at(-1)).toBe('READY');
    expect(result.after.n_images).toBe(result.before.n_images + 1);
    expect(result.after.last_operation).toMatchObject({ type: 'MEDIA_ADDITION', status: 'SUCCEEDED' });
  });
});
