import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDynamo } from '../../local/embedded/dynamo-server';
import { startS3Server } from '../../local/embedded/s3-server';
import { startDynamoDbLocal } from './dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbLocalEndpoint: string;
    dynaliteEndpoint: string;
    s3Endpoint: string;
  }
}

/** One DynamoDB Local, one dynalite and one s3rver for the whole run; every test file makes its own table / bucket. */
export default async function setup(project: TestProject) {
  const s3Directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const [dynamoDbLocal, dynalite, s3] = await Promise.all([
    startDynamoDbLocal(),
    startEmbeddedDynamo(),
    startS3Server({ directory: s3Directory }),
  ]);
  project.provide('dynamoDbLocalEndpoint', dynamoDbLocal.endpoint);
  project.provide('dynaliteEndpoint', dynalite.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  return async () => {
    await Promise.all([dynamoDbLocal.stop(), dynalite.stop(), s3.stop()]);
    rmSync(s3Directory, { recursive: true, force: true });
  };
}
