import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImage } from '../support/media-fixtures';
import { E2eApi } from './api';
import { type LocalServiceProcess, mintToken, printServiceLogOnFailure, startLocalService } from './local-service';

/** Exact duplicates against the real local service: bytes already in the dataset are skipped and counted, never added. */
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
  service = await startLocalService(join(work, 'data'));
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
