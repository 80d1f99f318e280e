import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DATASET_INDEX, datasetIndexValues, datasetKey } from '../store/table-schema';
import { canRead, type DatasetRecord, type StoredEmbeddingConfig } from './dataset-record';

export async function getDataset(
  client: DynamoDBDocumentClient,
  tableName: string,
  datasetId: string,
): Promise<DatasetRecord | undefined> {
  const result = await client.send(
    new GetCommand({ TableName: tableName, Key: datasetKey(datasetId), ConsistentRead: true }),
  );
  return result.Item as DatasetRecord | undefined;
}

export interface NewDataset {
  readonly id: string;
  readonly displayName: string;
  readonly owner: string;
  readonly now: Date;
  /** Set when the dataset is created together with its first indexing: it is born locked by that operation. */
  readonly initialIndex?: { readonly operationId: string };
  readonly embeddingConfig?: StoredEmbeddingConfig;
  /** Asked for at creation: replaces the encoder's threshold when the dataset is first indexed. */
  readonly similarityThreshold?: number;
}

/** Builds the item of a new dataset: empty and READY, or INDEXING and locked by its INITIAL_INDEX operation. */
export function newDatasetRecord(input: NewDataset): DatasetRecord {
  const now = input.now.toISOString();
  const task = input.initialIndex
    ? { type: 'INITIAL_INDEX' as const, operation_id: input.initialIndex.operationId, started_at: now }
    : undefined;
  return {
    ...datasetKey(input.id),
    ...datasetIndexValues(input.id, now),
    id: input.id,
    display_name: input.displayName,
    owner: input.owner,
    readers: [],
    writers: [],
    status: task ? 'INDEXING' : 'READY',
    n_images: 0,
    n_videos: 0,
    progress: 0,
    ...(input.embeddingConfig ? { embedding_config: input.embeddingConfig } : {}),
    ...(input.similarityThreshold === undefined ? {} : { similarity_threshold: input.similarityThreshold }),
    ...(task ? { active_task: task, last_operation: { ...task, status: 'RUNNING' as const } } : {}),
    batches: [],
    shards_done: 0,
    shards_total: 0,
    created_at: now,
    updated_at: now,
  };
}

/** Writes a new dataset item; refuses to overwrite an existing id. */
export async function putNewDataset(
  client: DynamoDBDocumentClient,
  tableName: string,
  record: DatasetRecord,
): Promise<void> {
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: record,
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export interface DatasetPage {
  readonly items: readonly DatasetRecord[];
  readonly lastKey?: Record<string, unknown>;
}

/** One page of datasets the caller can read, newest last (index order), starting after `startKey`. */
export async function listReadableDatasets(
  client: DynamoDBDocumentClient,
  tableName: string,
  sub: string,
  options: { limit: number; startKey?: Record<string, unknown> },
): Promise<DatasetPage> {
  const items: DatasetRecord[] = [];
  let startKey = options.startKey;
  // Access lists are not indexable, so filter while paging until the page is full or the index is exhausted.
  do {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: DATASET_INDEX.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': DATASET_INDEX.partitionKey },
        ExpressionAttributeValues: { ':pk': DATASET_INDEX.partitionValue },
        ExclusiveStartKey: startKey,
        Limit: options.limit - items.length,
      }),
    );
    for (const item of (result.Items ?? []) as DatasetRecord[]) if (canRead(item, sub)) items.push(item);
    startKey = result.LastEvaluatedKey;
  } while (startKey && items.length < options.limit);
  return { items, ...(startKey ? { lastKey: startKey } : {}) };
}
