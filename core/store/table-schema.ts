/** Key layout of the single table (docs/data-model.md). CDK, handlers, workers and the local runtime all build keys here. */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const DATASET_INDEX = {
  name: 'gsi1',
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
  partitionValue: 'DATASET',
} as const;
export const TTL_ATTRIBUTE = 'expires_at';

const DATASET_SORT_KEY = 'META';

export const datasetKey = (datasetId: string) => ({ pk: `DS#${datasetId}`, sk: DATASET_SORT_KEY });
export const datasetIndexValues = (datasetId: string, createdAt: string) => ({
  gsi1pk: DATASET_INDEX.partitionValue,
  gsi1sk: `${createdAt}#${datasetId}`,
});

export const mediaPartition = (datasetId: string) => `DS#${datasetId}#MEDIA`;
export const mediaSortKey = (batchId: string, mediaId: string) => `${batchId}#${mediaId}`;
export const mediaKey = (datasetId: string, batchId: string, mediaId: string) => ({
  pk: mediaPartition(datasetId),
  sk: mediaSortKey(batchId, mediaId),
});

export const clusterPartition = (datasetId: string, clusteringId: string) => `DS#${datasetId}#CLUSTERS#${clusteringId}`;
export const clusterKey = (datasetId: string, clusteringId: string, clusterId: string) => ({
  pk: clusterPartition(datasetId, clusteringId),
  sk: clusterId,
});

/** Finished operations of a dataset, oldest first by key (`{started_at}#{operation_id}`). */
export const operationPartition = (datasetId: string) => `DS#${datasetId}#OPS`;
export const operationKey = (datasetId: string, startedAt: string, operationId: string) => ({
  pk: operationPartition(datasetId),
  sk: `${startedAt}#${operationId}`,
});

/** Content hashes of a dataset's media: which media holds which bytes (exact-duplicate detection). */
export const contentHashKey = (datasetId: string, sha256: string) => ({ pk: `DS#${datasetId}#SHA256`, sk: sha256 });

/** Clustering id under which media of a never-clustered dataset are assigned incrementally. */
export const INITIAL_CLUSTERING_ID = 'initial';

export const idempotencyKey = (sub: string, key: string, datasetId: string, route: string) => ({
  pk: `IDEM#${sub}#${key}`,
  sk: `${datasetId}#${route}`,
});

/** CreateTable input for emulators (DynamoDB Local, dynalite); the CDK DataTable declares the same schema. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' as const },
      { AttributeName: DATASET_INDEX.partitionKey, AttributeType: 'S' as const },
      { AttributeName: DATASET_INDEX.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: DATASET_INDEX.name,
        KeySchema: [
          { AttributeName: DATASET_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: DATASET_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}
