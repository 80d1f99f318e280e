import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImage } from '../support/media-fixtures';
import { E2eApi } from './api';
import { type LocalServiceProcess, mintToken, printServiceLogOnFailure, startLocalService } from './local-service';

/**
 * DATA_DIR on a real, small file system (a 48 MiB tmpfs) that is then filled to the last byte: the embedded DynamoDB's
 * writes fail with ENOSPC. Mounting needs root (CI runs as root on its machines); elsewhere the suite is skipped.
 */
const work = mkdtempSync(join(tmpdir(), 'e2e-disk-full-'));
const mountPoint = join(work, 'data');
mkdirSync(mountPoint);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mountPoint]).status === 0;
const filler = join(mountPoint, 'filler');

let service: LocalServiceProcess;
let api: E2eApi;

beforeAll(async () => {
  if (!mounted) return;
  // The start-up free-space check (MIN_FREE_DISK_MB) would refuse this small disk before the test fills it.
  service = await startLocalService(mountPoint, { MIN_FREE_DISK_MB: '1' });
  api = new E2eApi(service.url, await mintToken('disk-full-owner'));
});

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  await service?.stop();
  if (mounted) spawnSync('umount', [mountPoint]);
  rmSync(work, { recursive: true, force: true });
});

/** Writes zeros until the file system refuses (ENOSPC). */
function fillDisk(): void {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    for (let size = 64 * 1024; size >= 1; size = Math.floor(size / 2)) {
      try {
        for (;;) writeSync(fd, chunk, 0, size);
      } catch {
        // this size no longer fits: try a smaller one
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * LevelDB appends to its log through a 64 KiB user-space buffer, so the first small writes after the disk filled can
 * still be accepted; the write that flushes the buffer meets ENOSPC. The first create that is not accepted is the one
 * the test looks at.
 */
async function firstRefusedCreate() {
  for (let attempt = 0; attempt < 200; attempt++) {
    const answer = await createEmpty(`while full ${attempt}`);
    if (answer.status !== 202) return answer;
  }
  throw new Error('200 creates were accepted on a full DATA_DIR');
}

const createEmpty = (name: string) =>
  api.request('POST', '/api/v1/datasets', JSON.stringify({ display_name: name }), {
    'content-type': 'application/json',
  });

describe.skipIf(!mounted)('a full DATA_DIR', () => {
  it('answers 507 with a clear detail, stays up, keeps what was committed, and recovers once space is freed', async () => {
    const form = new FormData();
    form.append('display_name', 'committed before');
    form.append('files[]', new Blob([new Uint8Array(await makeImage({ seed: 1 }))]), 'a.jpg');
    const created = await api.request('POST', '/api/v1/datasets', form);
    expect(created.status, created.text).toBe(202);
    const keptId = created.json<{ id: string }>().id;
    const { dataset: kept } = await api.waitUntilIdle(keptId);
    expect(kept).toMatchObject({ status_new: 'READY', n_images: 1 });

    fillDisk();
    const refused = await firstRefusedCreate();
    expect(refused.status, refused.text).toBe(507);
    expect(refused.json<{ detail: string }>().detail).toBe(
      'Insufficient storage: the service could not write its data (no space left on device). Free space under DATA_DIR (or make it writable) and retry',
    );
    expect((await createEmpty('again while full')).status).toBe(507);
    // Still serving, from the same process, with everything committed before.
    expect(await api.dataset(keptId)).toEqual(kept);
    expect(await api.media(keptId)).toHaveLength(1);
    expect(service.output()).not.toMatch(/LEVEL_IO_ERROR|uncaught/i);

    rmSync(filler);
    const after = await createEmpty('after freeing space');
    expect(after.status, after.text).toBe(202);
    expect(await api.dataset(after.json<{ id: string }>().id)).toMatchObject({ display_name: 'after freeing space' });
    expect(await api.dataset(keptId)).toEqual(kept);
  });

  it('fails the operation the full disk interrupted, with that reason, once the failure can be written', async () => {
    const form = new FormData();
    form.append('display_name', 'in flight');
    form.append('files[]', new Blob([new Uint8Array(await makeImage({ seed: 2 }))]), 'a.jpg');
    const created = await api.request('POST', '/api/v1/datasets', form);
    const datasetId = created.json<{ id: string }>().id;
    expect((await api.waitUntilIdle(datasetId)).dataset.status_new).toBe('READY');

    const add = new FormData();
    for (let i = 0; i < 8; i++)
      add.append('files[]', new Blob([new Uint8Array(await makeImage({ seed: 10 + i }))]), `b${i}.jpg`);
    const accepted = await api.request('POST', `/api/v1/dataset/${datasetId}/add_media`, add);
    expect(accepted.status, accepted.text).toBe(202);
    const operationId = accepted.headers.get('x-operation-id')!;
    fillDisk();
    // Until LevelDB's write buffer (above) meets the full disk, a small write can still be taken: flush it now, so that
    // whether the failure below can be recorded does not depend on how many bytes happened to be written before.
    expect((await firstRefusedCreate()).status).toBe(507);

    // The workers' writes fail; so does recording the failure, while the disk stays full.
    await expect.poll(() => service.output(), { timeout: 120_000, interval: 500 }).toMatch(/FAILED .* after/);
    expect((await api.dataset(datasetId)).status_new).toBe('READ ONLY');

    rmSync(filler);
    const { dataset } = await api.waitUntilIdle(datasetId);
    expect(dataset.status_new).toBe('ERROR');
    expect(dataset.error).toMatch(/no space left on device/i);
    const operation = await api.request('GET', `/api/v1/dataset/${datasetId}/operations/${operationId}`);
    expect(operation.json<{ status: string }>().status).toBe('FAILED');
    expect(service.output()).not.toMatch(/LEVEL_IO_ERROR|uncaught/i);

    const again = new FormData();
    again.append('files[]', new Blob([new Uint8Array(await makeImage({ seed: 30 }))]), 'c.jpg');
    const retried = await api.request('POST', `/api/v1/dataset/${datasetId}/add_media`, again);
    expect(retried.status, retried.text).toBe(202);
    expect((await api.waitUntilIdle(datasetId)).dataset).toMatchObject({ status_new: 'PARTIAL INDEX', n_images: 2 });
  });
});
