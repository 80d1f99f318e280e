import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImage, truncated } from '../support/media-fixtures';
import { E2eApi } from './api';
import { type LocalServiceProcess, mintToken, printServiceLogOnFailure, startLocalService } from './local-service';

/**
 * What a user sees of the results, against the real local service: exact duplicates skipped and counted, never added;
 * thumbnails and media served behind the API's authentication; a corrupt file in a local folder skipped with its reason.
 */
let work: string;
let service: LocalServiceProcess;
let api: E2eApi;
let datasetId: string;

interface Operation {
  status: string;
  n_added: number;
  n_skipped: number;
  n_duplicates: number;
  skipped: { name: string; reason: string }[];
}

const images = (seeds: number[]) => Promise.all(seeds.map((seed) => makeImage({ seed, width: 64, height: 64 })));

function form(files: Buffer[], names: string[]): FormData {
  const body = new FormData();
  for (const [i, bytes] of files.entries()) {
    body.append('files[]', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), names[i]);
  }
  return body;
}

async function addAndWait(body: FormData): Promise<Operation> {
  const answer = await api.request('POST', `/api/v1/dataset/${datasetId}/add_media`, body);
  expect(answer.status, answer.text).toBe(202);
  await api.waitUntilIdle(datasetId);
  return (await api.request('GET', answer.headers.get('operation-location')!)).json<Operation>();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-duplicates-'));
  service = await startLocalService(join(work, 'data'), { LOCAL_MEDIA_ROOTS: work });
  api = new E2eApi(service.url, await mintToken('e2e-duplicates'));
});

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('exact duplicates by content hash', { timeout: 150_000 }, () => {
  it('skips media whose bytes the dataset already holds, whatever their name, and counts them as duplicates', async () => {
    const body = form(await images([1, 2, 3]), ['a.jpg', 'b.jpg', 'c.jpg']);
    body.append('display_name', 'duplicates');
    const created = await api.request('POST', '/api/v1/datasets', body);
    expect(created.status, created.text).toBe(202);
    datasetId = created.json<{ id: string }>().id;
    expect((await api.waitUntilIdle(datasetId)).dataset).toMatchObject({ status_new: 'READY', n_images: 3 });

    // The same folder again, renamed, plus one new image.
    const again = await addAndWait(form(await images([1, 2, 3, 4]), ['a2.jpg', 'b2.jpg', 'c2.jpg', 'new.jpg']));
    expect(again).toMatchObject({ status: 'SUCCEEDED', n_added: 1, n_skipped: 3, n_duplicates: 3 });
    expect(again.skipped.map((s) => s.reason)).toEqual(
      Array(3).fill(expect.stringMatching(/^already in the dataset \(same bytes as media [0-9a-f]+\)$/)),
    );
    const dataset = await api.dataset(datasetId);
    expect(dataset.n_images).toBe(4);
    expect(await api.media(datasetId)).toHaveLength(4);
  });

  it('keeps one of two identical files in the same upload', async () => {
    const [twin] = await images([5]);
    const result = await addAndWait(form([twin!, twin!], ['twin-1.jpg', 'twin-2.jpg']));
    expect(result).toMatchObject({ status: 'SUCCEEDED', n_added: 1, n_skipped: 1, n_duplicates: 1 });
    expect((await api.dataset(datasetId)).n_images).toBe(5);
  });
});

describe('thumbnails and media links on one machine', { timeout: 60_000 }, () => {
  it('serves every visible media item its WebP thumbnail and its bytes, only with credentials', async () => {
    const items = (await api.media(datasetId)) as unknown as { media_id: string; thumbnail_url: string; url: string }[];
    expect(items).toHaveLength(5);
    for (const item of items) {
      expect(item.thumbnail_url).toMatch(
        new RegExp(`^/api/v1/dataset/${datasetId}/media/[\\w-]+/${item.media_id}/thumbnail$`),
      );
      const thumbnail = await api.request('GET', item.thumbnail_url);
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/webp');
      const bytes = Buffer.from(
        await (
          await fetch(`${service.url}${item.thumbnail_url}`, {
            headers: { Authorization: `Bearer ${await mintToken('e2e-duplicates')}` },
          })
        ).arrayBuffer(),
      );
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('webp');
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(256);
    }
    const [first] = items;
    const original = await fetch(`${service.url}${first!.url}`, {
      headers: { Authorization: `Bearer ${await mintToken('e2e-duplicates')}` },
    });
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await original.arrayBuffer())).metadata()).width).toBe(64);

    expect((await fetch(`${service.url}${first!.thumbnail_url}`)).status).toBe(401);
    const stranger = await fetch(`${service.url}${first!.thumbnail_url}`, {
      headers: { Authorization: `Bearer ${await mintToken('someone-else')}` },
    });
    expect(stranger.status).toBe(404);
  });
});

describe('a truncated image in a folder added by path', { timeout: 150_000 }, () => {
  it('is skipped with the decoder’s reason by embed (discover never decodes media kept in place); the rest is added', async () => {
    const folder = join(work, 'folder');
    mkdirSync(folder);
    const [good, other, source] = await images([11, 12, 13]);
    writeFileSync(join(folder, 'good.jpg'), good!);
    writeFileSync(join(folder, 'other.jpg'), other!);
    writeFileSync(join(folder, 'broken.jpg'), truncated(source!, 0.4));
    const created = await api.request(
      'GET',
      `/api/v1/process/create?${new URLSearchParams({ name: 'folder', path: folder })}`,
    );
    expect(created.status, created.text).toBe(202);
    const id = created.json<{ id: string }>().id;
    const { dataset } = await api.waitUntilIdle(id);
    expect(dataset).toMatchObject({ status_new: 'READY', n_images: 2 });
    expect(dataset.last_operation).toMatchObject({
      status: 'SUCCEEDED',
      n_added: 2,
      n_skipped: 1,
      skipped: [{ name: join(folder, 'broken.jpg'), reason: expect.stringMatching(/^cannot decode image: /) }],
    });
    expect((await api.media(id)).map((media) => media.source_uri).sort()).toEqual([
      join(folder, 'good.jpg'),
      join(folder, 'other.jpg'),
    ]);
  });
});
