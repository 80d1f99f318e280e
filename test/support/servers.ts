import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createTableInput } from '../../core/store/table-schema';

export type DynamoKind = 'dynamodb-local' | 'dynalite';

// s3rver knows only this key pair; DynamoDB Local runs with -sharedDb so the key does not pick a database.
export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const TEST_REGION = 'us-east-1';

const dynamoEndpoint = (kind: DynamoKind = 'dynamodb-local'): string =>
  kind === 'dynamodb-local' ? inject('dynamoDbLocalEndpoint') : inject('dynaliteEndpoint');

export const s3Endpoint = (): string => inject('s3Endpoint');

export interface TestTable {
  readonly tableName: string;
  readonly endpoint: string;
  readonly client: DynamoDBDocumentClient;
}

/** A fresh table with the production schema on the shared server of `kind`. */
export async function createTestTable(kind: DynamoKind = 'dynamodb-local'): Promise<TestTable> {
  const endpoint = dynamoEndpoint(kind);
  const raw = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 5 });
  const tableName = `t-${randomUUID()}`;
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client: raw, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { TableName: tableName });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { tableName, endpoint, client };
}

export interface TestBucket {
  readonly bucket: string;
  readonly endpoint: string;
  readonly client: S3Client;
}

/** A fresh bucket on the shared s3rver. */
export async function createTestBucket(): Promise<TestBucket> {
  const endpoint = s3Endpoint();
  const client = new S3Client({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, forcePathStyle: true });
  const bucket = `b-${randomUUID().slice(0, 18)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { bucket, endpoint, client };
}
