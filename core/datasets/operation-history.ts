import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { operationKey } from '../store/table-schema';
import type { LastOperation } from './dataset-record';

/**
 * Keeps a finished operation in the dataset's operation history (docs/data-model.md), written after the fenced update
 * that ended it. A put of the same final state: a retried step writes it again and changes nothing. Should the process
 * die in between, the dataset's `last_operation` still holds it, and the listing shows it from there.
 */
export async function recordFinishedOperation(
  client: DynamoDBDocumentClient,
  tableName: string,
  datasetId: string,
  operation: LastOperation,
): Promise<void> {
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...operationKey(datasetId, operation.started_at, operation.operation_id),
        dataset_id: datasetId,
        ...operation,
      },
    }),
  );
}
