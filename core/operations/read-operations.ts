import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { RESOURCE_ID } from '../api-schema/identifiers';
import type { OperationPage } from '../api-schema/response-bodies';
import type { LastOperation } from '../datasets/dataset-record';
import { getDataset } from '../datasets/dataset-repository';
import { type OperationView, toOperationView } from '../datasets/operation-view';
import { operationKey, operationPartition } from '../store/table-schema';
import * as messages from './api-messages';
import { decodeCursor, encodeCursor, type TableKey } from './cursor';
import { readableDataset } from './dataset-guards';
import { type Refused, refuse } from './operation-result';
import type { ReadContext } from './read-context';

const OPERATION_ID = RESOURCE_ID;

export interface OperationQuery {
  readonly datasetId: string;
  readonly caller: string;
  readonly operationId: string;
}

/**
 * One operation of a readable dataset: the running or last one from the dataset item (live phase and progress), an
 * earlier one from the dataset's operation history. Another tenant's dataset and an unknown id are both 404.
 */
export async function readOperation(
  context: ReadContext,
  query: OperationQuery,
): Promise<{ ok: true; operation: OperationView } | Refused> {
  const dataset = readableDataset(
    await getDataset(context.dynamo, context.config.tableName, query.datasetId),
    query.caller,
  );
  if (!dataset) return refuse({ reason: 'not_found' });
  if (!OPERATION_ID.test(query.operationId))
    return refuse({ reason: 'missing_item', detail: messages.OPERATION_NOT_FOUND });
  if (dataset.last_operation?.operation_id === query.operationId) {
    return { ok: true, operation: toOperationView(dataset.id, dataset.last_operation, dataset) };
  }
  let startKey: Record<string, unknown> | undefined;
  do {
    // Datasets have few operations; the history is read through, filtered server-side on the id.
    const result = await context.dynamo.send(
      new QueryCommand({
        TableName: context.config.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'operation_id = :id',
        ExpressionAttributeValues: { ':pk': operationPartition(dataset.id), ':id': query.operationId },
        ExclusiveStartKey: startKey,
      }),
    );
    const found = result.Items?.[0] as LastOperation | undefined;
    if (found) return { ok: true, operation: toOperationView(dataset.id, found, undefined) };
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return refuse({ reason: 'missing_item', detail: messages.OPERATION_NOT_FOUND });
}

export interface OperationPageQuery {
  readonly datasetId: string;
  readonly caller: string;
  readonly cursor: string | undefined;
  readonly limit: number;
}

/**
 * A page of a dataset's operations, newest first. The first page starts with the dataset's `last_operation` (running,
 * or finished but not yet in the history), so an operation is listed from the moment its 202 is answered.
 */
export async function listOperations(
  context: ReadContext,
  query: OperationPageQuery,
): Promise<{ ok: true; page: OperationPage } | Refused> {
  const dataset = readableDataset(
    await getDataset(context.dynamo, context.config.tableName, query.datasetId),
    query.caller,
  );
  if (!dataset) return refuse({ reason: 'not_found' });
  const partition = operationPartition(dataset.id);
  let startKey: TableKey | undefined;
  if (query.cursor !== undefined) {
    startKey = decodeCursor(query.cursor, (key) => key.pk === partition);
    if (!startKey) return refuse({ reason: 'invalid_input', detail: messages.invalidCursor });
  }
  const head = startKey === undefined ? dataset.last_operation : undefined;
  const result = await context.dynamo.send(
    new QueryCommand({
      TableName: context.config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
      ExclusiveStartKey: startKey,
      Limit: query.limit,
    }),
  );
  const history = ((result.Items ?? []) as LastOperation[]).filter(
    (operation) => operation.operation_id !== head?.operation_id,
  );
  const shown = [...(head ? [head] : []), ...history].slice(0, query.limit);
  const last = shown.at(-1);
  const more = last !== undefined && (shown.length < (head ? 1 : 0) + history.length || !!result.LastEvaluatedKey);
  return {
    ok: true,
    page: {
      items: shown.map((operation) => toOperationView(dataset.id, operation, operation === head ? dataset : undefined)),
      // The history key of the last one shown: the head's key also works when the history does not hold it yet.
      next_cursor: more ? encodeCursor(operationKey(dataset.id, last.started_at, last.operation_id)) : null,
    },
  };
}
