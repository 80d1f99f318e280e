import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerErrorKey } from '../../core/pipeline/worker-error-report';
import { discoveryKey } from '../../core/store/batch-paths';
import { makeImage } from '../support/media-fixtures';
import {
  createBucket,
  directS3Client,
  discoverEnv,
  getObject,
  newOperationId,
  putObject,
  type RecordingProxy,
  startRecordingProxy,
  TASK_ROLE_KEY_ID,
} from './discover-test-support';

const MAIN = fileURLToPath(new URL('../../workers/main.ts', import.meta.url));

interface Exit {
  readonly code: number;
  readonly stderr: string;
}

/** Runs `workers/main.ts` as the container does: its own process, configuration only through the environment. */
function runWorker(args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ACCESS_KEY_ID: TASK_ROLE_KEY_ID,
          AWS_SECRET_ACCESS_KEY: 'secret',
          ...env,
        },
        timeout: 60_000,
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

function lastLine(text: string): unknown {
  return JSON.parse(text.trimEnd().split('\n').at(-1)!);
}

let proxy: RecordingProxy;
let direct: S3Client;
let own: string;
let source: string;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  direct = directS3Client();
  [own, source] = await Promise.all([createBucket(direct, 'own'), createBucket(direct, 'src')]);
  await putObject(direct, source, 'good/a.jpg', await makeImage({ seed: 1 }));
  await putObject(direct, source, 'bad/a.jpg', 'not an image');
});

afterAll(async () => {
  await proxy.close();
});

function envFor(sourceUri: string) {
  return discoverEnv({
    endpoint: proxy.endpoint,
    bucket: own,
    datasetId: 'ds-cli',
    operationId: newOperationId(),
    sourceKind: 's3_uri',
    sourceUri,
  });
}

describe('workers/main.ts discover', () => {
  it('exits 0 after writing discovery.json', async () => {
    const env = envFor(`s3://${source}/good/`);
    const exit = await runWorker(['discover'], env);
    expect(exit).toEqual({ code: 0, stderr: expect.any(String) });
    expect(
      JSON.parse((await getObject(direct, own, discoveryKey('ds-cli', env.OPERATION_ID))).toString()),
    ).toMatchObject({ n_images: 1 });
  });

  it('exits 1 with one JSON error line when the source has nothing usable', async () => {
    const exit = await runWorker(['discover'], envFor(`s3://${source}/bad/`));
    expect(exit.code).toBe(1);
    expect(lastLine(exit.stderr)).toEqual({
      error: `Invalid S3 URI or no media files found at s3://${source}/bad/; skipped s3://${source}/bad/a.jpg: content is text, not an image or video`,
    });
  });

  it('leaves its error in the batch prefix for mark-failed, which never sees stderr in the cloud', async () => {
    const env = envFor(`s3://${source}/bad/`);
    expect((await runWorker(['discover'], env)).code).toBe(1);
    const report = JSON.parse(
      (await getObject(direct, own, workerErrorKey('ds-cli', env.OPERATION_ID!, 'discover'))).toString(),
    );
    expect(report).toEqual({
      error: `Invalid S3 URI or no media files found at s3://${source}/bad/; skipped s3://${source}/bad/a.jpg: content is text, not an image or video`,
      task: 'discover',
      at: expect.any(String),
    });
  });

  it('takes the task from TASK when no argument is given, and names a missing variable', async () => {
    const { BUCKET_NAME: _, ...env } = envFor(`s3://${source}/good/`);
    const exit = await runWorker([], env);
    expect(exit.code).toBe(1);
    expect(lastLine(exit.stderr)).toEqual({ error: 'BUCKET_NAME is not set' });
  });

  it('refuses an unknown task', async () => {
    const exit = await runWorker(['nope'], { ...envFor(`s3://${source}/good/`), TASK: 'nope' });
    expect(exit.code).toBe(1);
    expect(lastLine(exit.stderr)).toEqual({
      error: expect.stringMatching(/^Unknown task "nope"; known tasks: .*discover/),
    });
  });
});
