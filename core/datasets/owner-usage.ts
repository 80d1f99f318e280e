import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DATASET_INDEX } from '../store/table-schema';

export interface OwnerUsage {
  readonly datasets: number;
  /** Datasets of this owner held by an operation (one operation per dataset at most). */
  readonly activeOperations: number;
}

/**
 * What one owner holds, for the per-user quotas: read from the dataset index (only the two attributes needed come back).
 * Concurrent requests may both see the count below a limit, so a limit can be passed by the few requests in flight.
 */
export async function ownerUsage(
  client: DynamoDBDocumentClient,
  tableName: string,
  owner: string,
): Promise<OwnerUsage> {
  let datasets = 0;
  let activeOperations = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: DATASET_INDEX.name,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: '#owner = :owner',
        ProjectionExpression: '#owner, #task',
        ExpressionAttributeNames: { '#pk': DATASET_INDEX.partitionKey, '#owner': 'owner', '#task': 'active_task' },
        ExpressionAttributeValues: { ':pk': DATASET_INDEX.partitionValue, ':owner': owner },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      datasets += 1;
      if (item.active_task) activeOperations += 1;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { datasets, activeOperations };
}
