import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mediaPartition, mediaSortKey } from '../../core/store/table-schema';
import type { MediaItem } from './table-items';

/** Every media item of one batch (sk begins with `{batch}#`), strongly consistent, page by page. */
export async function queryBatchMedia(
  client: DynamoDBDocumentClient,
  tableName: string,
  datasetId: string,
  batchId: string,
): Promise<Map<string, MediaItem>> {
  const items = new Map<string, MediaItem>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': mediaPartition(datasetId), ':prefix': mediaSortKey(batchId, '') },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of (page.Items ?? []) as MediaItem[]) items.set(item.media_id, item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
