import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { datasetKey } from '../store/table-schema';
import { ExpressionBuilder, type UpdateSpec } from '../store/update-expression';
import type { DatasetRecord, LastOperation } from './dataset-record';
import { getDataset } from './dataset-repository';
import type { DatasetStatus, TaskType } from './dataset-status';

/** What the lock refused, read from the item the failed condition returned (no second read). */
export type LockRefusal =
  | { readonly reason: 'not_found' }
  | { readonly reason: 'busy'; readonly taskType: TaskType; readonly dataset: DatasetRecord }
  | { readonly reason: 'status'; readonly status: DatasetStatus; readonly dataset: DatasetRecord }
  | { readonly reason: 'no_embedding_config'; readonly dataset: DatasetRecord };

export type LockResult =
  | { readonly acquired: true; readonly previous: DatasetRecord; readonly activeTask: DatasetRecord['active_task'] }
  | ({ readonly acquired: false } & LockRefusal);

export interface AcquireLockRequest {
  readonly datasetId: string;
  readonly operationId: string;
  readonly taskType: TaskType;
  readonly allowedFrom: readonly DatasetStatus[];
  readonly lockedStatus: DatasetStatus;
  readonly requireEmbeddingConfig: boolean;
  readonly now: Date;
}

/**
 * Takes the dataset lock with ONE conditional UpdateItem (DESIGN.md "The lock"): the item exists, no task holds it and its
 * status allows the operation. The operation id written into `active_task` is the fencing token of every later write.
 */
export async function acquireDatasetLock(
  client: DynamoDBDocumentClient,
  tableName: string,
  request: AcquireLockRequest,
): Promise<LockResult> {
  const expr = new ExpressionBuilder();
  const startedAt = request.now.toISOString();
  const activeTask = { type: request.taskType, operation_id: request.operationId, started_at: startedAt };
  // A reindex is all clustering; add and create begin by discovering their media.
  const phase = request.taskType === 'REINDEX' ? 'cluster' : 'discover';
  const lastOperation: LastOperation = { ...activeTask, status: 'RUNNING', phase };
  const update = expr.update({
    set: {
      active_task: activeTask,
      status: request.lockedStatus,
      progress: 0,
      shards_done: 0,
      shards_total: 0,
      last_operation: lastOperation,
      updated_at: startedAt,
    },
    remove: ['error'],
  });
  const statusValues = request.allowedFrom.map((status) => expr.value(status));
  const conditions = [
    `attribute_exists(${expr.path('pk')})`,
    `attribute_not_exists(${expr.path('active_task')})`,
    `${expr.path('status')} IN (${statusValues.join(', ')})`,
  ];
  if (request.requireEmbeddingConfig) conditions.push(`attribute_exists(${expr.path('embedding_config')})`);

  try {
    const result = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: datasetKey(request.datasetId),
        UpdateExpression: update,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: expr.names,
        ExpressionAttributeValues: expr.values,
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { acquired: true, previous: result.Attributes as DatasetRecord, activeTask };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      // DynamoDB returns the current item with the failure; emulators without ReturnValuesOnConditionCheckFailure
      // (dynalite) need one consistent read instead.
      const current = error.Item
        ? (unmarshall(error.Item) as DatasetRecord)
        : await getDataset(client, tableName, request.datasetId);
      return { acquired: false, ...explainRefusal(current, request) };
    }
    throw error;
  }
}

function explainRefusal(current: DatasetRecord | undefined, request: AcquireLockRequest): LockRefusal {
  if (!current) return { reason: 'not_found' };
  if (current.active_task) return { reason: 'busy', taskType: current.active_task.type, dataset: current };
  if (request.requireEmbeddingConfig && !current.embedding_config)
    return { reason: 'no_embedding_config', dataset: current };
  return { reason: 'status', status: current.status, dataset: current };
}

/**
 * Applies `spec` only while `operationId` still holds the lock. Returns false (and changes nothing) when another or no
 * operation holds it — a late or duplicate writer cannot clobber a newer operation.
 */
export async function fencedDatasetUpdate(
  client: DynamoDBDocumentClient,
  tableName: string,
  datasetId: string,
  operationId: string,
  spec: UpdateSpec,
): Promise<boolean> {
  const expr = new ExpressionBuilder();
  const update = expr.update(spec);
  const condition = `${expr.path('active_task.operation_id')} = ${expr.value(operationId)}`;
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: datasetKey(datasetId),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: expr.names,
        ExpressionAttributeValues: expr.valuesOrUndefined(),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Undoes a lock taken by `operationId` when the operation never started (staging or StartExecution failed):
 * restores the status, progress, last operation and error the dataset had before.
 */
export async function rollbackDatasetLock(
  client: DynamoDBDocumentClient,
  tableName: string,
  operationId: string,
  previous: DatasetRecord,
): Promise<boolean> {
  const remove = ['active_task'];
  if (!previous.last_operation) remove.push('last_operation');
  if (previous.error === undefined) remove.push('error');
  return fencedDatasetUpdate(client, tableName, previous.id, operationId, {
    set: {
      status: previous.status,
      progress: previous.progress,
      shards_done: previous.shards_done ?? 0,
      shards_total: previous.shards_total ?? 0,
      last_operation: previous.last_operation,
      error: previous.error,
      updated_at: previous.updated_at,
    },
    remove,
  });
}
