import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { acquireDatasetLock } from '../../core/datasets/dataset-lock';
import type { DatasetRecord } from '../../core/datasets/dataset-record';
import { getDataset, newDatasetRecord, putNewDataset } from '../../core/datasets/dataset-repository';
import { OPERATIONS, type TaskType } from '../../core/datasets/dataset-status';
import { clusterKey, clusterPartition, mediaKey, mediaPartition } from '../../core/store/table-schema';
import {
  createTestBucket,
  createTestTable,
  type DynamoKind,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestBucket,
  type TestTable,
} from '../support/servers';

/** Shared set-up of the pipeline Lambda tests: environment, seeded datasets, media, clusters and S3 objects. */
export const ADD_MEDIA_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:AddMedia';
export const REINDEX_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Reindex';
export const EMBEDDING_CONFIG = { model_id: 'clip-vit-b32', dimension: 512, input_size: 224, version: '1' };

/** The handlers read one credential from the environment for both services: the one the test servers accept. */
const CREDENTIALS = TEST_CREDENTIALS;

export const createPipelineTable = (kind: DynamoKind = 'dynamodb-local'): Promise<TestTable> => createTestTable(kind);

const createPipelineBucket = (): Promise<TestBucket> => createTestBucket();

/** Everything the pipeline Lambdas read from the environment, pointed at the test servers. Set before importing a handler. */
function setPipelineEnv(table: TestTable, bucket: TestBucket): void {
  Object.assign(process.env, {
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_ENDPOINT_URL_S3: bucket.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    TABLE_NAME: table.tableName,
    BUCKET_NAME: bucket.bucket,
    GPU_SPOT_CAPACITY_PROVIDER: 'gpu-spot',
    GPU_ON_DEMAND_CAPACITY_PROVIDER: 'gpu-on-demand',
    GPU_TASK_DEFINITION_ARN: 'arn:aws:ecs:us-east-1:123456789012:task-definition/gpu:1',
    CPU_TASK_DEFINITION_ARN: 'arn:aws:ecs:us-east-1:123456789012:task-definition/cpu:1',
    SUBNET_IDS: 'subnet-a, subnet-b',
    SECURITY_GROUP_IDS: 'sg-1',
    DEFAULT_USE_SPOT: 'true',
    MAX_SHARDS: '100',
    MAX_CONCURRENCY: '20',
    ADD_MEDIA_STATE_MACHINE_ARN: ADD_MEDIA_MACHINE,
    REINDEX_STATE_MACHINE_ARN: REINDEX_MACHINE,
  });
}

/** A fresh table (DynamoDB Local) and bucket, with the environment the pipeline Lambdas read pointing at them. */
export async function startPipelineServers(): Promise<{ table: TestTable; bucket: TestBucket }> {
  const [table, bucket] = await Promise.all([createPipelineTable(), createPipelineBucket()]);
  setPipelineEnv(table, bucket);
  return { table, bucket };
}

export interface SeedOptions {
  readonly record?: Partial<DatasetRecord>;
  /** Lock the dataset for this task (with this operation id and start time). */
  readonly lock?: { readonly taskType: TaskType; readonly operationId?: string; readonly startedAt?: Date };
}

export interface Seeded {
  readonly datasetId: string;
  readonly operationId: string;
}

/** A dataset with one committed batch `b0` (2 images, 1 video) clustered under `c0`, optionally locked. */
export async function seedDataset(table: TestTable, options: SeedOptions = {}): Promise<Seeded> {
  const datasetId = randomUUID();
  const operationId = options.lock?.operationId ?? randomUUID();
  const base = newDatasetRecord({
    id: datasetId,
    displayName: 'd',
    owner: 'alice',
    now: new Date(),
    embeddingConfig: EMBEDDING_CONFIG,
  });
  await putNewDataset(table.client, table.tableName, {
    ...base,
    status: 'READY',
    n_images: 2,
    n_videos: 1,
    batches: ['b0'],
    clustering_id: 'c0',
    clustering_state: 'full',
    ...options.record,
  } as DatasetRecord);
  if (options.lock) {
    const lockFor = options.lock.taskType === 'REINDEX' ? OPERATIONS.reindex : OPERATIONS.add_media;
    const result = await acquireDatasetLock(table.client, table.tableName, {
      datasetId,
      operationId,
      taskType: options.lock.taskType,
      allowedFrom: ['READY', 'PENDING_INDEX', 'ERROR'],
      lockedStatus: options.lock.taskType === 'INITIAL_INDEX' ? 'INDEXING' : lockFor.lockedStatus,
      requireEmbeddingConfig: false,
      now: options.lock.startedAt ?? new Date(),
    });
    if (!result.acquired) throw new Error(`seed could not lock ${datasetId}: ${result.reason}`);
  }
  return { datasetId, operationId };
}

export const dataset = (table: TestTable, datasetId: string) => getDataset(table.client, table.tableName, datasetId);

/** The execution input as the API builds it (docs/pipeline.md). */
export function executionInput(seeded: Seeded, extra: Record<string, unknown> = {}) {
  return {
    dataset_id: seeded.datasetId,
    operation_id: seeded.operationId,
    operation: 'add_media',
    task_type: 'MEDIA_ADDITION',
    caller: 'alice',
    source: { kind: 's3_uri', uri: 's3://src/prefix/' },
    auto_reindex: false,
    assume_role: null,
    use_spot: null,
    overrides: { batch_n_images: null, batch_n_videos: null, batch_n_objects: null },
    embedding_config: EMBEDDING_CONFIG,
    ...extra,
  };
}

export async function putMedia(
  table: TestTable,
  datasetId: string,
  batchId: string,
  mediaIds: readonly string[],
): Promise<void> {
  await Promise.all(
    mediaIds.map((mediaId) =>
      table.client.send(
        new PutCommand({
          TableName: table.tableName,
          Item: {
            ...mediaKey(datasetId, batchId, mediaId),
            dataset_id: datasetId,
            media_id: mediaId,
            batch_id: batchId,
            type: 'image',
          },
        }),
      ),
    ),
  );
}

export async function putCluster(
  table: TestTable,
  datasetId: string,
  clusteringId: string,
  clusterId: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...clusterKey(datasetId, clusteringId, clusterId),
        cluster_id: clusterId,
        clustering_id: clusteringId,
        size: 1,
        partial: false,
        added_by_batch: {},
        ...extra,
      },
    }),
  );
}

export async function cluster(table: TestTable, datasetId: string, clusteringId: string, clusterId: string) {
  const result = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: clusterKey(datasetId, clusteringId, clusterId),
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

async function sortKeys(table: TestTable, partition: string): Promise<string[]> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => item.sk as string).sort();
}

export const mediaSortKeys = (table: TestTable, datasetId: string) => sortKeys(table, mediaPartition(datasetId));
export const clusterIds = (table: TestTable, datasetId: string, clusteringId: string) =>
  sortKeys(table, clusterPartition(datasetId, clusteringId));

export async function putObject(bucket: TestBucket, key: string, body: unknown): Promise<void> {
  await bucket.client.send(
    new PutObjectCommand({
      Bucket: bucket.bucket,
      Key: key,
      Body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export async function readJson(bucket: TestBucket, key: string): Promise<unknown> {
  const object = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString());
}

export async function objectKeys(bucket: TestBucket, prefix: string): Promise<string[]> {
  const result = await bucket.client.send(new ListObjectsV2Command({ Bucket: bucket.bucket, Prefix: prefix }));
  return (result.Contents ?? []).map((object) => object.Key!).sort();
}

export const discovery = (counts: Record<string, unknown> = {}) => ({
  n_images: 3,
  n_videos: 1,
  n_objects: 0,
  n_parts: 1,
  n_skipped: 2,
  skipped: [
    { name: 'notes.txt', reason: 'unsupported type' },
    { name: 'fake.jpg', reason: 'content is not an image' },
  ],
  total_bytes: 4 * 1024 * 1024,
  ...counts,
});
