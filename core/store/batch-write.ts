import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';

/** BatchWriteItem's limit of requests per call. */
const BATCH_WRITE_LIMIT = 25;
const MAX_ATTEMPTS = 10;
const BASE_DELAY_MS = 25;
const MAX_DELAY_MS = 5_000;
/** Calls in flight: enough to keep an on-demand table busy without starving the process of sockets. */
const PARALLEL_REQUESTS = 8;

export type WriteRequest =
  | { readonly PutRequest: { readonly Item: Record<string, unknown> } }
  | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

/**
 * Sends every request with BatchWriteItem, 25 per call and a few calls in flight. What DynamoDB leaves unprocessed
 * (throttling) is resent after a full-jitter exponential backoff (AWS's recommended form: the SDK's own retry
 * strategy retries failed calls, not the unprocessed part of a successful one); the write fails if some are still left
 * after MAX_ATTEMPTS.
 */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  const limit = pLimit(PARALLEL_REQUESTS);
  const calls: Promise<void>[] = [];
  for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
    const batch = requests.slice(i, i + BATCH_WRITE_LIMIT);
    calls.push(limit(() => writeBatch(client, tableName, batch)));
  }
  await Promise.all(calls);
}

async function writeBatch(
  client: DynamoDBDocumentClient,
  tableName: string,
  batch: readonly WriteRequest[],
): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new Error(`${pending.length} writes to ${tableName} still unprocessed after ${MAX_ATTEMPTS} attempts`);
    }
    if (attempt > 1) await delay(fullJitterDelayMs(attempt - 1));
    const result = await client.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: pending as WriteRequest[] } }),
    );
    pending = (result.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
  }
}

/** A delay drawn uniformly from [0, min(cap, base × 2^retry)]: retries of many writers spread out instead of colliding. */
export function fullJitterDelayMs(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry));
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
