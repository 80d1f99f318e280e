import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDynamo } from '../../local/embedded/dynamo-server';
import { startS3Server } from '../../local/embedded/s3-server';
import { startDynamoDbLocal } from './dynamodb-local';
import { missingPrerequisites } from './prerequisites';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbLocalEndpoint: string;
    dynaliteEndpoint: string;
    s3Endpoint: string;
    /** A folder for whatever tests cannot help writing (CDK cloud assemblies); removed at the end of the run. */
    scratchDir: string;
  }
}

/** One DynamoDB Local, one dynalite and one s3rver for the whole run; every test file makes its own table / bucket. */
export default async function setup(project: TestProject) {
  const missing = missingPrerequisites(process.env);
  if (missing) {
    process.stderr.write(`${missing}\n`);
    process.exit(1);
  }
  const s3Directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const scratchDir = mkdtempSync(join(tmpdir(), 'vitest-scratch-'));
  const removeFolders = () => {
    rmSync(s3Directory, { recursive: true, force: true });
    rmSync(scratchDir, { recursive: true, force: true });
  };
  const servers = await Promise.allSettled([
    startDynamoDbLocal(),
    startEmbeddedDynamo(),
    startS3Server({ directory: s3Directory }),
  ]);
  const stopAll = () =>
    Promise.all(servers.map((server) => (server.status === 'fulfilled' ? server.value.stop() : undefined)));
  const failed = servers.find((server) => server.status === 'rejected');
  if (failed) {
    // Nothing of a failed start is left behind (servers, folders).
    await stopAll();
    removeFolders();
    throw failed.reason;
  }
  const fulfilled = <T>(result: PromiseSettledResult<T>): T => (result as PromiseFulfilledResult<T>).value;
  const [dynamoDbLocal, dynalite, s3] = [fulfilled(servers[0]), fulfilled(servers[1]), fulfilled(servers[2])];
  project.provide('dynamoDbLocalEndpoint', dynamoDbLocal.endpoint);
  project.provide('dynaliteEndpoint', dynalite.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('scratchDir', scratchDir);
  // Test files and the processes they start (services, workers, Chromium) inherit it: whatever they make with
  // os.tmpdir() lives in the run's scratch folder and goes with it, even when a test forgets to clean up.
  const systemTmpDir = process.env.TMPDIR;
  process.env.TMPDIR = scratchDir;
  return async () => {
    try {
      await stopAll();
    } finally {
      if (systemTmpDir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = systemTmpDir;
      removeFolders();
    }
  };
}
