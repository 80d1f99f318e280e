import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaObjectKey } from '../../core/store/batch-paths';
import { run } from '../../workers/discover/run';
import { WorkerError } from '../../workers/runtime/failure';
import { makeImage, makeTgz, makeVideo } from '../support/media-fixtures';
import {
  createBucket,
  directS3Client,
  discoverEnv,
  getObject,
  newOperationId,
  type RecordingProxy,
  readBatchOutputs,
  startRecordingProxy,
  useTaskRoleCredentials,
} from './discover-test-support';

useTaskRoleCredentials();

const DATASET = 'ds-local';
let proxy: RecordingProxy;
let direct: S3Client;
let own: string;
let root: string;
let outside: string;
let base: string;
/** DATA_DIR's stand-in: a folder under the root that is the service's own. */
let serviceData: string;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  direct = directS3Client();
  own = await createBucket(direct, 'own');
  base = await mkdtemp(join(tmpdir(), 'discover-local-'));
  root = join(base, 'new-media');
  outside = await mkdtemp(join(tmpdir(), 'discover-outside-'));
  serviceData = join(base, 'service-data');
  await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
  await mkdir(serviceData);
  await writeFile(join(serviceData, 'other-tenant.jpg'), await makeImage({ seed: 5 }));
  await writeFile(join(outside, 'notes.txt'), 'plain text outside the roots');
  await writeFile(join(root, 'a.jpg'), await makeImage({ seed: 1 }));
  await writeFile(join(root, 'fake.jpg'), '<html><body>oops</body></html>');
  await writeFile(join(root, 'sub', 'b.png'), await makeImage({ seed: 2, format: 'png' }));
  await writeFile(join(root, 'sub', 'notes.txt'), 'not media, not offered');
  await makeVideo(join(root, 'sub', 'deeper', 'c.mp4'));
  await writeFile(join(outside, 'secret.jpg'), await makeImage({ seed: 3 }));
  await symlink(join(outside, 'secret.jpg'), join(root, 'link.jpg'));
  await symlink(outside, join(root, 'linked-folder'));
  await writeFile(
    join(base, 'list.txt'),
    ['new-media/a.jpg', join(root, 'sub', 'b.png'), 'new-media/link.jpg', 'new-media/gone.jpg'].join('\n'),
  );
  await writeFile(
    join(base, 'probe.txt'),
    [
      join(outside, 'secret.jpg'),
      join(outside, 'notes.txt'),
      '/etc/passwd',
      '/no/such/file.png',
      'new-media/a.jpg',
    ].join('\n'),
  );
  await writeFile(join(base, 'photos.tgz'), makeTgz([{ name: 'x/cat.jpg', data: await makeImage({ seed: 4 }) }]));
});

afterAll(async () => {
  await proxy.close();
  await rm(base, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

function envFor(path: string, extra: Record<string, string> = allowed()) {
  return discoverEnv({
    endpoint: proxy.endpoint,
    bucket: own,
    datasetId: DATASET,
    operationId: newOperationId(),
    sourceKind: 'local_path',
    sourceUri: path,
    extra,
  });
}

function allowed(roots = base): Record<string, string> {
  return { LOCAL_PATHS_ALLOWED: 'true', LOCAL_MEDIA_ROOTS: roots, SERVICE_PATHS: serviceData };
}

async function discovered(path: string) {
  const env = envFor(path);
  const summary = await run(env);
  const { lines } = await readBatchOutputs(direct, own, DATASET, env.OPERATION_ID);
  return { summary, lines, operationId: env.OPERATION_ID };
}

describe('discover from a local path', () => {
  it('walks a folder recursively in name order, keeping files in place and never following symbolic links', async () => {
    const { summary, lines } = await discovered(root);
    expect(lines.map((line) => [line.location, line.type])).toEqual([
      [{ path: join(root, 'a.jpg') }, 'image'],
      [{ path: join(root, 'sub', 'b.png') }, 'image'],
      [{ path: join(root, 'sub', 'deeper', 'c.mp4') }, 'video'],
    ]);
    expect(lines[0]!.source_uri).toBe(join(root, 'a.jpg'));
    expect(summary.skipped).toEqual([
      { name: join(root, 'fake.jpg'), reason: 'content is HTML text, not an image or video' },
      { name: join(root, 'link.jpg'), reason: 'symbolic link not followed' },
    ]);
  });

  it('reads a local manifest, resolving relative entries against its folder', async () => {
    const { summary, lines } = await discovered(join(root, '..', 'list.txt'));
    expect(lines.map((line) => line.location)).toEqual([
      { path: join(root, 'a.jpg') },
      { path: join(root, 'sub', 'b.png') },
    ]);
    expect(summary.skipped).toEqual([
      {
        name: `${join(base, 'list.txt')} row 3: new-media/link.jpg`,
        reason: 'not a readable file under LOCAL_MEDIA_ROOTS',
      },
      {
        name: `${join(base, 'list.txt')} row 4: new-media/gone.jpg`,
        reason: 'not a readable file under LOCAL_MEDIA_ROOTS',
      },
    ]);
  });

  it('extracts a local archive into the batch', async () => {
    const { lines, operationId } = await discovered(join(root, '..', 'photos.tgz'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.location).toEqual({
      bucket: own,
      key: mediaObjectKey(DATASET, operationId, lines[0]!.media_id, 'jpg'),
    });
    expect(lines[0]!.source_uri).toBe(`${join(root, '..', 'photos.tgz')}#x/cat.jpg`);
    expect(await getObject(direct, own, mediaObjectKey(DATASET, operationId, lines[0]!.media_id, 'jpg'))).toEqual(
      await makeImage({ seed: 4 }),
    );
  });

  it('takes a single media file', async () => {
    const { lines } = await discovered(join(root, 'sub', 'deeper', 'c.mp4'));
    expect(lines.map((line) => [line.location, line.bytes])).toEqual([
      [{ path: join(root, 'sub', 'deeper', 'c.mp4') }, (await readFile(join(root, 'sub', 'deeper', 'c.mp4'))).length],
    ]);
  });

  it('refuses local paths unless LOCAL_PATHS_ALLOWED is true', async () => {
    await expect(run(envFor(root, {}))).rejects.toThrow(
      new WorkerError('Local paths are not allowed in this deployment (LOCAL_PATHS_ALLOWED is not true)'),
    );
  });

  it('refuses a relative path', async () => {
    await expect(run(envFor('new-media/a.jpg'))).rejects.toThrow(
      new WorkerError('A local path must be absolute, got new-media/a.jpg'),
    );
  });

  it('fails with the local path message (never an S3 one) for a path that does not exist', async () => {
    const missing = join(root, 'no-such-folder');
    await expect(run(envFor(missing))).rejects.toThrow(
      new WorkerError(`Invalid path or no media files found at ${missing}`),
    );
  });
});

describe('LOCAL_MEDIA_ROOTS confinement', () => {
  it.each([
    ['a folder outside the roots', () => outside],
    ['a file outside the roots', () => join(outside, 'secret.jpg')],
    ['a symbolic link under a root that leads outside', () => join(root, 'linked-folder')],
    ['a path climbing out with ..', () => `${root}/../../${outside.split('/').at(-1)}`],
    ["the service's own folder under a root", () => serviceData],
    ['/proc/self/cwd', () => '/proc/self/cwd'],
    ['a missing path', () => join(root, 'gone')],
  ])('refuses %s with the same message, reading nothing', async (_, path) => {
    const env = envFor(path());
    await expect(run(env)).rejects.toThrow(new WorkerError(`Invalid path or no media files found at ${path()}`));
  });

  it('refuses every local path when no roots are configured, saying how to enable them', async () => {
    await expect(run(envFor(root, allowed('')))).rejects.toThrow(
      new WorkerError(
        "Field 'path': no local media folders are configured; set LOCAL_MEDIA_ROOTS to the comma-separated absolute folders media may be read from, then restart",
      ),
    );
  });

  it('walks past the service folders under a root without a word', async () => {
    const { summary, lines } = await discovered(base);
    expect(lines.map((line) => line.location)).not.toContainEqual({ path: join(serviceData, 'other-tenant.jpg') });
    expect(lines.map((line) => line.location)).toContainEqual({ path: join(root, 'a.jpg') });
    expect(JSON.stringify(summary)).not.toContain('service-data');
  });

  it('skips manifest entries outside the roots with one reason, whatever they are', async () => {
    const { summary, lines } = await discovered(join(base, 'probe.txt'));
    expect(lines.map((line) => line.location)).toEqual([{ path: join(root, 'a.jpg') }]);
    expect(summary.skipped.map((skip) => skip.reason)).toEqual(
      Array(4).fill('not a readable file under LOCAL_MEDIA_ROOTS'),
    );
  });
});
