import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImage } from '../support/media-fixtures';
import { E2eApi } from './api';
import { type LocalServiceProcess, mintToken, printServiceLogOnFailure, startLocalService } from './local-service';

/** The service dies mid-batch (SIGKILL to it and everything it started) and comes back on the same DATA_DIR. */
let work: string;
let dataDir: string;
let service: LocalServiceProcess;
let token: string;
let datasetId: string;
let seed = 500;

const images = async (count: number, name: string) => {
  const form = new FormData();
  for (let i = 0; i < count; i++)
    form.append(
      'files[]',
      new Blob([new Uint8Array(await makeImage({ seed: seed++, width: 64, height: 64 }))]),
      `${name}-${i}.jpg`,
    );
  return form;
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-restart-'));
  dataDir = join(work, 'data');
  token = await mintToken('e2e-restart');
});

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

// Pipelines run real workers on a 2-core CI machine shared with other suites: generous per-test limits.
describe('local service restart', { timeout: 240_000 }, () => {
  it('after a kill mid-batch, the dataset is not stuck: ERROR with the interrupted message, then add and reindex are accepted', async () => {
    service = await startLocalService(dataDir);
    let api = new E2eApi(service.url, token);
    const create = await images(3, 'first');
    create.append('display_name', 'restart');
    datasetId = (await api.request('POST', '/api/v1/datasets', create)).json<{ id: string }>().id;
    const indexed = (await api.waitUntilIdle(datasetId)).dataset;
    expect(indexed).toMatchObject({ status_new: 'READY', n_images: 3 });

    const started = await api.request('POST', `/api/v1/dataset/${datasetId}/add_media`, await images(3, 'lost'));
    expect(started.status, started.text).toBe(202);
    // Mid-batch: planned (progress 5) and embedding, not yet committed.
    let running = await api.dataset(datasetId);
    while (running.progress < 5 && running.status_new === 'READ ONLY') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      running = await api.dataset(datasetId);
    }
    expect(running.status_new).toBe('READ ONLY');
    await service.kill();

    service = await startLocalService(dataDir);
    api = new E2eApi(service.url, token);
    const recovered = await api.dataset(datasetId);
    expect(recovered).toMatchObject({
      status_new: 'ERROR',
      error: 'Operation interrupted: the service restarted',
      active_task: null,
      n_images: 3,
      last_operation: { operation_id: started.headers.get('x-operation-id'), status: 'FAILED' },
    });
    expect(service.output()).toContain('interrupted operation(s) marked ERROR');
    expect(await api.media(datasetId)).toHaveLength(3);

    const add = await api.request('POST', `/api/v1/dataset/${datasetId}/add_media`, await images(2, 'after'));
    expect(add.status, add.text).toBe(202);
    expect((await api.waitUntilIdle(datasetId)).dataset).toMatchObject({
      status_new: 'PARTIAL INDEX',
      n_images: 5,
      error: null,
    });
    const reindex = await api.request('POST', `/api/v1/dataset/${datasetId}/reindex`);
    expect(reindex.status, reindex.text).toBe(202);
    expect((await api.waitUntilIdle(datasetId)).dataset).toMatchObject({ status_new: 'READY', n_images: 5 });
    expect(await api.media(datasetId)).toHaveLength(5);
  });
});
