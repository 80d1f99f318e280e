import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_OPTIONS } from '../../core/operations/media-source';
import { requestAddMedia } from '../../core/operations/request-add-media';
import { refusalStatus } from '../../lambdas/http/refusal-status';
import { makeImage } from '../support/media-fixtures';
import {
  type ApiTestBed,
  createApiTestBed,
  mockPipelines,
  OWNER,
  readDataset,
  seedDataset,
  startedExecutions,
} from './api-test-bed';

/** The domain function the on-prem route (GET /api/v1/process/add_media?dataset_id=&path=) shares with the handler. */
let bed: ApiTestBed;
const work = mkdtempSync(join(tmpdir(), 'local-source-'));
/** LOCAL_MEDIA_ROOTS of these tests; `outside` lies beside it, `service` (as DATA_DIR would) inside it. */
const root = join(work, 'media');
const outside = join(work, 'elsewhere');
const service = join(root, 'service-data');

beforeAll(async () => {
  bed = await createApiTestBed();
  mkdirSync(join(root, 'empty'), { recursive: true });
  mkdirSync(join(root, 'photos', 'nested'), { recursive: true });
  writeFileSync(join(root, 'photos', 'notes.txt'), 'not media');
  writeFileSync(join(root, 'photos', 'nested', 'a.jpg'), await makeImage({ seed: 6 }));
  for (const folder of [outside, service]) {
    mkdirSync(folder);
    writeFileSync(join(folder, 'secret.jpg'), await makeImage({ seed: 7 }));
    writeFileSync(join(folder, 'list.csv'), 'secret.jpg\n');
  }
  symlinkSync(outside, join(root, 'link-out'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(mockPipelines);

const addLocal = (datasetId: string, path: string, localPathsAllowed = true, localMediaRoots = [root]) =>
  requestAddMedia(bed.withConfig({ localPathsAllowed, localMediaRoots, servicePaths: [service] }), {
    datasetId,
    caller: OWNER.sub,
    source: { kind: 'local_path', path },
    options: { ...DEFAULT_MEDIA_OPTIONS, autoReindex: true },
    now: new Date('2024-06-01T12:00:00.000Z'),
  });

describe('requestAddMedia with a local path (on-prem)', () => {
  it('starts the execution on a folder holding media, with the path as source', async () => {
    const id = await seedDataset(bed);
    const result = await addLocal(id, join(root, 'photos'));
    expect(result).toEqual({ ok: true, datasetId: id, operationId: expect.any(String) });
    const operationId = result.ok ? result.operationId : '';
    expect(startedExecutions()[0]?.input).toMatchObject({
      operation_id: operationId,
      source: { kind: 'local_path', uri: join(root, 'photos') },
      auto_reindex: true,
    });
    expect((await readDataset(bed, id))?.active_task).toEqual({
      type: 'MEDIA_ADDITION',
      operation_id: operationId,
      started_at: '2024-06-01T12:00:00.000Z',
    });
  });

  it.each<[string, () => string, boolean, number, string]>([
    [
      'local paths are disabled',
      () => join(root, 'photos'),
      false,
      400,
      "Field 'path': local paths are not enabled on this deployment (LOCAL_PATHS_ALLOWED)",
    ],
    ['the path is relative', () => 'photos', true, 400, "Field 'path' must be an absolute path (got 'photos')"],
    [
      'the folder is empty',
      () => join(root, 'empty'),
      true,
      400,
      `Invalid path or no media files found at ${join(root, 'empty')}`,
    ],
    [
      'the path does not exist',
      () => join(root, 'missing'),
      true,
      400,
      `Invalid path or no media files found at ${join(root, 'missing')}`,
    ],
    ...[
      ['the folder is outside LOCAL_MEDIA_ROOTS', () => outside],
      ['the manifest is outside LOCAL_MEDIA_ROOTS', () => join(outside, 'list.csv')],
      ['a symbolic link under a root leads outside it', () => join(root, 'link-out')],
      ['a path climbs out of a root with ..', () => `${root}/../elsewhere`],
      ['the path is the service folder under a root', () => service],
      ['the path is /proc/self/cwd', () => '/proc/self/cwd'],
    ].map(
      ([label, path]) =>
        [label, path, true, 400, `Invalid path or no media files found at ${(path as () => string)()}`] as [
          string,
          () => string,
          boolean,
          number,
          string,
        ],
    ),
  ])('refuses when %s, without locking', async (_, path, allowed, statusCode, detail) => {
    const id = await seedDataset(bed);
    const before = await readDataset(bed, id);
    const result = await addLocal(id, path(), allowed);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(refusalStatus(result.refusal)).toEqual({ statusCode, detail });
    expect(await readDataset(bed, id)).toEqual(before);
    expect(startedExecutions()).toEqual([]);
  });
});

describe('local paths without LOCAL_MEDIA_ROOTS', () => {
  it('are refused with a message that says how to enable them, without locking', async () => {
    const id = await seedDataset(bed);
    const before = await readDataset(bed, id);
    const result = await addLocal(id, join(root, 'photos'), true, []);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(refusalStatus(result.refusal)).toEqual({
        statusCode: 400,
        detail:
          "Field 'path': no local media folders are configured; set LOCAL_MEDIA_ROOTS to the comma-separated absolute folders media may be read from, then restart",
      });
    expect(await readDataset(bed, id)).toEqual(before);
    expect(startedExecutions()).toEqual([]);
  });
});
