import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../../core/store/batch-write';

/** Puts every item (BatchWriteItem, unprocessed items resent with backoff: core/store/batch-write.ts). */
export async function putAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  await batchWriteAll(
    client,
    tableName,
    items.map((Item) => ({ PutRequest: { Item } })),
  );
}
