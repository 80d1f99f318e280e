import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/environment';
import { makeImage } from '../support/media-fixtures';
import { E2eApi } from './api';
import {
  E2E_AUTH,
  type LocalServiceProcess,
  mintToken,
  printServiceLogOnFailure,
  REPO_ROOT,
  startLocalService,
} from './local-service';

/** The clients a user meets first: run_profiler.sh (the on-prem CLI) and the Python example of the source document. */
const run = promisify(execFile);

let work: string;
let service: LocalServiceProcess;
let api: E2eApi;
let token: string;
let seed = 900;
let datasets = 0;

async function mediaFolder(name: string, count: number): Promise<string> {
  const folder = join(work, name);
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < count; i++)
    writeFileSync(join(folder, `${name}-${i}.jpg`), await makeImage({ seed: seed++, width: 64, height: 64 }));
  return folder;
}

/** A READY dataset of the test's own, created by the CLI from `count` images (tests never share one). */
async function cliDataset(count: number): Promise<string> {
  const created = await profiler([
    '-o',
    'create',
    '-n',
    'cli dataset',
    '-p',
    await mediaFolder(`set-${++datasets}`, count),
  ]);
  expect(created.code, created.stderr).toBe(0);
  return created.stdout.trim();
}

/** run_profiler.sh with the service's URL and a token; resolves with its exit code and output, whatever the code. */
async function profiler(args: string[], env: Record<string, string> = { VL_TOKEN: token }) {
  try {
    const { stdout, stderr } = await run(join(REPO_ROOT, 'run_profiler.sh'), args, {
      cwd: work,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', VL_BASE_URL: service.url, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-clients-'));
  service = await startLocalService(join(work, 'data'), { LOCAL_MEDIA_ROOTS: work });
  token = await mintToken('e2e-cli');
  api = new E2eApi(service.url, token);
});

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

// Pipelines run real workers on a 2-core CI machine shared with other suites: generous per-test limits.
describe('run_profiler.sh and the Python example against the local service', { timeout: 180_000 }, () => {
  it('creates a dataset from a local folder and waits for READY (exit 0, prints the id)', async () => {
    const result = await profiler(['-o', 'create', '-n', 'cli dataset', '-p', await mediaFolder('initial', 3)]);

    expect(result.code, result.stderr).toBe(0);
    const datasetId = result.stdout.trim();
    expect(await api.dataset(datasetId)).toMatchObject({
      display_name: 'cli dataset',
      status_new: 'READY',
      n_images: 3,
    });
    expect(result.stderr).toMatch(/\[#+\.*\] +\d+% {2}(discover|embed|assign|cluster)/);
    expect(result.stderr).toMatch(/\[#{30}\] +100% {2}SUCCEEDED {2}\(3 added, 0 skipped\)/);
  });

  it('add_media without -a ends in PARTIAL INDEX, reindex in READY, add_media -a in READY (token minted from AUTH_JWT_SECRET)', async () => {
    const datasetId = await cliDataset(3);
    const add = await profiler(['-o', 'add_media', '-d', datasetId, '-p', await mediaFolder('second', 2)]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain('PARTIAL INDEX, 5 images, 0 videos, 2 added');
    expect((await api.dataset(datasetId)).status_new).toBe('PARTIAL INDEX');

    const reindex = await profiler(['-o', 'reindex', '-d', datasetId], { ...E2E_AUTH, VL_SUB: 'e2e-cli' });
    expect(reindex.code, reindex.stderr).toBe(0);
    expect((await api.dataset(datasetId)).status_new).toBe('READY');

    await mediaFolder('third', 1);
    const auto = await profiler(['-o', 'add_media', '-d', datasetId, '-p', 'third', '-a']); // relative to the cwd
    expect(auto.code, auto.stderr).toBe(0);
    expect(await api.dataset(datasetId)).toMatchObject({ status_new: 'READY', n_images: 6 });
  });

  it('exits non-zero with the error: refused requests (1), a failed operation (1), usage errors (2)', async () => {
    const datasetId = await cliDataset(1);
    const missing = await profiler(['-o', 'reindex', '-d', 'no-such-dataset']);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'Error: Dataset not found (HTTP 404)']);

    const nothing = await profiler(['-o', 'add_media', '-d', datasetId, '-p', join(work, 'does-not-exist')]);
    expect([nothing.code, nothing.stderr.trim()]).toEqual([
      1,
      `Error: Invalid path or no media files found at ${join(work, 'does-not-exist')} (HTTP 400)`,
    ]);

    const notAllowed = await profiler(['-o', 'reindex', '-d', datasetId]);
    expect([notAllowed.code, notAllowed.stderr.trim()]).toEqual([
      1,
      "Error: Operation 'reindex' is not allowed while dataset status is READY (HTTP 409)",
    ]);

    const corrupt = join(work, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'not-really.jpg'), 'this is text, not a JPEG');
    const failed = await profiler(['-o', 'add_media', '-d', datasetId, '-p', corrupt]);
    expect(failed.code).toBe(1);
    const dataset = await api.dataset(datasetId);
    expect(dataset.status_new).toBe('ERROR');
    expect(failed.stderr).toContain(`Error: ${dataset.error}`);

    const usage = await profiler(['-o', 'add_media', '-d', datasetId]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('-o add_media needs -p <path>');
    // Without VL_TOKEN the CLI mints `npm run token`'s development token, which this service (own secret) refuses.
    const noToken = await profiler(['-o', 'status', '-d', datasetId], {});
    expect([noToken.code, noToken.stderr.trim()]).toEqual([
      1,
      'Error: Not authenticated: The token signature does not match this API key (HTTP 401)',
    ]);
  });

  it('runs the Python example of the source document to "Final status: PARTIAL INDEX"', async () => {
    const datasetId = await cliDataset(1);
    const stdout = await runPythonExample(datasetId, await sourceFolder('python-example'));

    expect(stdout).toContain('Status: READY');
    expect(stdout).toContain('Add media accepted — processing in background.');
    expect(stdout).toMatch(/^ {2}RUNNING: (discover|embed|assign|cluster) \d+%$/m);
    expect(stdout).toMatch(/^Operation SUCCEEDED: \d+ added, 0 skipped$/m);
    expect(stdout.trim().split('\n').at(-1)).toBe('Final status: PARTIAL INDEX');
  });

  it('lets the Python example add to an ERROR dataset, as the API accepts, and so recover it', async () => {
    const datasetId = await cliDataset(1);
    const corrupt = join(work, 'corrupt-for-python');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'not-really.jpg'), 'this is text, not a JPEG');
    expect((await profiler(['-o', 'add_media', '-d', datasetId, '-p', corrupt])).code).toBe(1);
    expect((await api.dataset(datasetId)).status_new).toBe('ERROR');

    const stdout = await runPythonExample(datasetId, await sourceFolder('python-error'));

    expect(stdout).toContain('Status: ERROR');
    expect(stdout).toMatch(/^Operation SUCCEEDED: 2 added, 0 skipped$/m);
    expect(stdout.trim().split('\n').at(-1)).toBe('Final status: PARTIAL INDEX');
  });
});

/** A bucket of the embedded S3 holding two new images under `new/`; returns its S3 URI. */
async function sourceFolder(bucket: string): Promise<string> {
  const s3 = new S3Client({
    endpoint: service.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < 2; i++) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `new/py-${i}.jpg`,
        Body: await makeImage({ seed: seed++, width: 64, height: 64 }),
      }),
    );
  }
  return `s3://${bucket}/new/`;
}

/** examples/add_media.py as a user runs it, its four settings in the environment; resolves to its stdout. */
async function runPythonExample(datasetId: string, s3Uri: string): Promise<string> {
  const { stdout } = await run('python3', [join(REPO_ROOT, 'examples', 'add_media.py')], {
    env: { PATH: process.env.PATH!, VL_BASE_URL: service.url, VL_TOKEN: token, DATASET_ID: datasetId, S3_URI: s3Uri },
  }).catch((error: { message: string; stdout: string }) => {
    throw new Error(`${error.message}\n${error.stdout}`);
  });
  return stdout;
}
