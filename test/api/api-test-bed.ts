import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import type { ApiConfig } from '../../core/config/api-config';
import type { DatasetRecord } from '../../core/datasets/dataset-record';
import { getDataset, newDatasetRecord, putNewDataset } from '../../core/datasets/dataset-repository';
import { DEFAULT_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import { presignedMediaLinks } from '../../core/operations/media-links';
import type { MediaReadContext } from '../../core/operations/media-read-context';
import type { OperationContext } from '../../core/operations/operation-context';
import {
  createTestTable,
  s3Endpoint,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestBucket,
  type TestTable,
} from '../support/servers';

/**
 * The API's handlers wired to real emulators: DynamoDB Local (table), s3rver (our bucket and a source bucket). Only Step
 * Functions and STS are mocked (aws-sdk-client-mock, per SDK client class), and tests assert the exact calls.
 */
export const ADD_MEDIA_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:add-media';
export const REINDEX_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:reindex';
const ALLOWED_ROLE_PATTERN = 'arn:aws:iam::123456789012:role/vl-*';

export const OWNER = { sub: 'owner-1' } as const;
export const READER = { sub: 'reader-1' } as const;
export const WRITER = { sub: 'writer-1' } as const;
export const STRANGER = { sub: 'stranger-1' } as const;

export const sfnMock = mockClient(SFNClient);
export const stsMock = mockClient(STSClient);

export function mockPipelines(): void {
  sfnMock.reset();
  stsMock.reset();
  sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAASSUMEDROLE',
      SecretAccessKey: 'assumed-secret',
      SessionToken: 'assumed-token',
      Expiration: new Date(Date.now() + 900_000),
    },
  });
}

/** Every StartExecution sent since the last reset, with its input parsed. */
export const startedExecutions = () =>
  sfnMock.commandCalls(StartExecutionCommand).map((call) => ({
    stateMachineArn: call.args[0].input.stateMachineArn,
    name: call.args[0].input.name,
    input: JSON.parse(call.args[0].input.input ?? 'null') as Record<string, unknown>,
  }));

export interface ApiTestBed {
  readonly table: TestTable;
  readonly bucket: TestBucket;
  readonly sourceBucket: TestBucket;
  readonly context: OperationContext & MediaReadContext;
  /** The same bed with some settings changed. */
  withConfig(overrides: Partial<ApiConfig>, replace?: Partial<Omit<OperationContext, 'config'>>): OperationContext;
}

/** s3rver knows one account, whose access key is `S3RVER` (test/support/servers.ts' createTestBucket signs with another). */
export const S3RVER_CREDENTIALS = TEST_CREDENTIALS;

export const s3rverClient = () =>
  new S3Client({ endpoint: s3Endpoint(), region: TEST_REGION, credentials: S3RVER_CREDENTIALS, forcePathStyle: true });

async function createBucket(): Promise<TestBucket> {
  const client = s3rverClient();
  const bucket = `b-${randomUUID().slice(0, 18)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { bucket, endpoint: s3Endpoint(), client };
}

export async function createApiTestBed(): Promise<ApiTestBed> {
  const [table, bucket, sourceBucket] = await Promise.all([
    createTestTable('dynamodb-local'),
    createBucket(),
    createBucket(),
  ]);
  const config: ApiConfig = {
    tableName: table.tableName,
    bucketName: bucket.bucket,
    addMediaStateMachineArn: ADD_MEDIA_MACHINE,
    reindexStateMachineArn: REINDEX_MACHINE,
    addMediaEnabled: true,
    allowedAssumeRoleArns: [ALLOWED_ROLE_PATTERN],
    assumeRoleExternalId: 'external-id-1',
    defaultEmbeddingConfig: DEFAULT_EMBEDDING_CONFIG,
    maxUploadBytes: 4 * 1024 * 1024,
    allowedOrigins: ['https://app.example.com'],
    sourceBucketNames: [sourceBucket.bucket],
    localPathsAllowed: false,
    localMediaRoots: [],
    servicePaths: [],
    // Tests share one table and owner; the quotas have their own tests (test/e2e/tenant-isolation.test.ts).
    maxDatasetsPerUser: Number.MAX_SAFE_INTEGER,
    maxActiveOperationsPerUser: Number.MAX_SAFE_INTEGER,
    mediaLinks: 'presigned',
    mediaUrlExpirySeconds: 900,
  };
  const context: OperationContext & MediaReadContext = {
    config,
    dynamo: table.client,
    s3: bucket.client,
    mediaLinks: presignedMediaLinks({
      s3: bucket.client,
      bucket: bucket.bucket,
      sourceBucketNames: [sourceBucket.bucket],
      expiresInSeconds: 900,
    }),
    sfn: new SFNClient({ region: TEST_REGION, credentials: TEST_CREDENTIALS }),
    sts: new STSClient({ region: TEST_REGION, credentials: TEST_CREDENTIALS }),
    // The assumed role's credentials reach this factory (tests record them); s3rver itself only accepts its own key.
    assumedRoleS3: () => s3rverClient(),
    logger: new Logger({ logLevel: 'SILENT' }),
  };
  return {
    table,
    bucket,
    sourceBucket,
    context,
    withConfig: (overrides, replace = {}) => ({ ...context, ...replace, config: { ...config, ...overrides } }),
  };
}

/** What seeded datasets were indexed with: the test deployment's encoder (add_media refuses any other). */
export const EMBEDDING_CONFIG = DEFAULT_EMBEDDING_CONFIG;

/** A dataset owned by OWNER (READER may read, WRITER may write), indexed once unless overridden. */
export async function seedDataset(
  bed: ApiTestBed,
  overrides: Partial<Record<keyof DatasetRecord, unknown>> = {},
): Promise<string> {
  const id = randomUUID();
  const record = {
    ...newDatasetRecord({
      id,
      displayName: `dataset ${id.slice(0, 8)}`,
      owner: OWNER.sub,
      now: new Date(),
      embeddingConfig: EMBEDDING_CONFIG,
    }),
    readers: [READER.sub],
    writers: [WRITER.sub],
    status: 'READY',
    clustering_id: 'clustering-0',
    clustering_state: 'full',
    ...overrides,
  } as DatasetRecord;
  await putNewDataset(bed.table.client, bed.table.tableName, record);
  return id;
}

export const readDataset = (bed: ApiTestBed, id: string) => getDataset(bed.table.client, bed.table.tableName, id);

/** Keys under `staging/{datasetId}/` in our bucket. */
export async function stagedKeys(bed: ApiTestBed, datasetId: string): Promise<string[]> {
  const listing = await bed.bucket.client.send(
    new ListObjectsV2Command({ Bucket: bed.bucket.bucket, Prefix: `staging/${datasetId}/` }),
  );
  return (listing.Contents ?? []).map((object) => object.Key!).sort();
}

export async function putSourceObject(bed: ApiTestBed, key: string, body: Buffer | string): Promise<string> {
  await bed.sourceBucket.client.send(new PutObjectCommand({ Bucket: bed.sourceBucket.bucket, Key: key, Body: body }));
  return `s3://${bed.sourceBucket.bucket}/${key}`;
}

const detailOf = (response: APIGatewayProxyResult): string => (JSON.parse(response.body) as { detail: string }).detail;

export function expectError(response: APIGatewayProxyResult, statusCode: number, detail: string | RegExp): void {
  expect({ statusCode: response.statusCode, detail: detailOf(response) }).toEqual({
    statusCode,
    detail: typeof detail === 'string' ? detail : expect.stringMatching(detail),
  });
  expect(response.headers?.['Content-Type']).toBe('application/json');
}

/** A rejected request left nothing: the dataset item as it was, no staged upload, no execution. */
export async function expectNothingLeft(
  bed: ApiTestBed,
  datasetId: string,
  before: DatasetRecord | undefined,
): Promise<void> {
  expect(await readDataset(bed, datasetId)).toEqual(before);
  expect(await stagedKeys(bed, datasetId)).toEqual([]);
  expect(startedExecutions()).toEqual([]);
}
