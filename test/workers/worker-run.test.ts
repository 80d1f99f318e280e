import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TEST_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import { commitBatch } from '../../core/pipeline/operation-commit';
import { datasetKey, mediaPartition } from '../../core/store/table-schema';
import { run as runAssignTask } from '../../workers/assign/run';
import { run as runClusterTask } from '../../workers/cluster/run';
import { run as runEmbedTask } from '../../workers/embed/run';
import { makeImage } from '../support/media-fixtures';
import { TEST_REGION, type TestBucket, type TestTable } from '../support/servers';
import {
  createWorkerBucket,
  createWorkerTable,
  newId,
  putLockedDataset,
  S3RVER_CREDENTIALS,
  stageBatch,
  testModel,
} from './embed-support';

/** The task entry points read exactly the documented environment (docs/pipeline.md) and run end to end. */
describe('worker entry points', () => {
  let bucket: TestBucket;
  let table: TestTable;
  const model = testModel();
  beforeAll(async () => {
    [bucket, table] = await Promise.all([createWorkerBucket(), createWorkerTable()]);
    // The SDK's default credential chain reads these; s3rver accepts only its own key.
    vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey);
  });
  afterAll(() => vi.unstubAllEnvs());

  it('embed, assign and cluster run from their environment', async () => {
    const datasetId = newId();
    const operationId = newId();
    await putLockedDataset(table, datasetId, operationId, { embedding_config: undefined });
    await stageBatch(bucket, datasetId, operationId, [
      [
        { name: 'a.jpg', type: 'image', bytes: await makeImage({ seed: 7, width: 200, height: 150 }) },
        { name: 'b.png', type: 'image', bytes: await makeImage({ seed: 8, width: 200, height: 150, format: 'png' }) },
      ],
    ]);
    const base = {
      BUCKET_NAME: bucket.bucket,
      TABLE_NAME: table.tableName,
      DATASET_ID: datasetId,
      OPERATION_ID: operationId,
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL_S3: bucket.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      LOG_LEVEL: 'ERROR',
      EXECUTION_PROVIDER: 'cpu',
      // initial indexing: the dataset has no embedding_config yet, the execution input carries it
      EMBEDDING_CONFIG: JSON.stringify(TEST_EMBEDDING_CONFIG),
    };
    await runEmbedTask({
      ...base,
      TASK: 'embed',
      SHARD_INDEX: '0',
      PART_START: '0',
      PART_END: '1',
      MODEL_URI: model.uri,
    });
    await runAssignTask({ ...base, TASK: 'assign', SIMILARITY_THRESHOLD: '0.9' });
    await commitBatch(
      { client: table.client, tableName: table.tableName, events: async () => undefined },
      {
        datasetId,
        operationId,
        added: { n_images: 2, n_videos: 0 },
        skipped: { count: 0, items: [] },
        autoReindex: true,
        now: new Date(),
      },
    );
    await runClusterTask({ ...base, TASK: 'cluster', NEW_CLUSTERING_ID: operationId, KNN_K: '5' });
    const dataset = (
      await table.client.send(new GetCommand({ TableName: table.tableName, Key: datasetKey(datasetId) }))
    ).Item!;
    expect(dataset).toMatchObject({ shards_done: 1, batches: [operationId] });
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': mediaPartition(datasetId) },
      }),
    );
    expect(Items.map((item) => [item.clustering_id, item.prev_clustering_id])).toEqual([
      [operationId, 'initial'],
      [operationId, 'initial'],
    ]);
  });

  it('names a missing or malformed variable', async () => {
    const env = { BUCKET_NAME: 'b', TABLE_NAME: 't', DATASET_ID: 'd', OPERATION_ID: 'o', AWS_REGION: TEST_REGION };
    await expect(
      runEmbedTask({ ...env, PART_START: '0', PART_END: '1', EMBEDDING_CONFIG: '{}', MODEL_URI: 'file:///m' }),
    ).rejects.toThrow(/SHARD_INDEX is not set/);
    await expect(runClusterTask({ ...env, NEW_CLUSTERING_ID: 'o', SIMILARITY_THRESHOLD: '1.5' })).rejects.toThrow(
      /SIMILARITY_THRESHOLD must be a number in \(0, 1\]/,
    );
    await expect(runAssignTask({ ...env, EXECUTION_PROVIDER: 'tpu' })).rejects.toThrow(
      /EXECUTION_PROVIDER must be cuda, cpu or unset/,
    );
  });
});
