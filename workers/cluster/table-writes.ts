import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const BATCH_WRITE_LIMIT = 25;
const MAX_ATTEMPTS = 10;
const PARALLEL_REQUESTS = 8;

/**
 * Puts every item with BatchWriteItem, 25 per request and a few requests in flight; items DynamoDB leaves unprocessed
 * (throttling) are resent with exponential backoff, and the write fails if some are still left after MAX_ATTEMPTS.
 */
export async function putAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) chunks.push(items.slice(i, i + BATCH_WRITE_LIMIT));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await putChunk(client, tableName, chunks[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_REQUESTS, chunks.length) }, worker));
}

async function putChunk(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: Record<string, unknown>[],
): Promise<void> {
  let requests: { PutRequest: { Item: Record<string, unknown> } }[] = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 1; requests.length; attempt++) {
    if (attempt > MAX_ATTEMPTS)
      throw new Error(`${requests.length} writes to ${tableName} still unprocessed after ${MAX_ATTEMPTS} attempts`);
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
    requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    if (requests.length) await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 25 * 2 ** attempt)));
  }
}
