import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OperationSupersededError } from '../../core/pipeline/operation-commit';
import { datasetKey } from '../../core/store/table-schema';
import { ExpressionBuilder } from '../../core/store/update-expression';

export interface ShardProgressTarget {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly datasetId: string;
  readonly operationId: string;
}

/** Embedding spans progress 5..90 (docs/pipeline.md): 5 + floor(85 × done / total). */
const embedProgress = (done: number, total: number): number =>
  5 + Math.floor((85 * Math.min(done, total)) / Math.max(1, total));

/**
 * Records one finished shard, fenced on the operation: ADD shards_done 1, then SET progress from the new count.
 * Progress only moves forward, so two shards finishing together cannot leave the lower figure behind.
 * Throws OperationSupersededError when the operation no longer holds the dataset.
 */
export async function recordShardDone(
  target: ShardProgressTarget,
  now: Date,
): Promise<{ done: number; total: number; progress: number }> {
  const added = new ExpressionBuilder();
  const update = added.update({ add: { shards_done: 1 }, set: { updated_at: now.toISOString() } });
  const fence = `${added.path('active_task.operation_id')} = ${added.value(target.operationId)}`;
  let item: Record<string, unknown>;
  try {
    const result = await target.client.send(
      new UpdateCommand({
        TableName: target.tableName,
        Key: datasetKey(target.datasetId),
        UpdateExpression: update,
        ConditionExpression: fence,
        ExpressionAttributeNames: added.names,
        ExpressionAttributeValues: added.valuesOrUndefined(),
        ReturnValues: 'ALL_NEW',
      }),
    );
    item = result.Attributes ?? {};
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new OperationSupersededError(target.datasetId, target.operationId);
    throw error;
  }
  const done = Number(item.shards_done ?? 0);
  const total = Number(item.shards_total ?? 0);
  const progress = embedProgress(done, total);

  const set = new ExpressionBuilder();
  const progressUpdate = set.update({ set: { progress } });
  const condition =
    `${set.path('active_task.operation_id')} = ${set.value(target.operationId)} AND ` +
    `(attribute_not_exists(${set.path('progress')}) OR ${set.path('progress')} < ${set.value(progress)})`;
  try {
    await target.client.send(
      new UpdateCommand({
        TableName: target.tableName,
        Key: datasetKey(target.datasetId),
        UpdateExpression: progressUpdate,
        ConditionExpression: condition,
        ExpressionAttributeNames: set.names,
        ExpressionAttributeValues: set.valuesOrUndefined(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (lockHolder(error.Item) !== target.operationId)
      throw new OperationSupersededError(target.datasetId, target.operationId);
  }
  return { done, total, progress };
}

/** The operation id in a failed condition's ALL_OLD item (raw attribute values: the document client does not convert it). */
function lockHolder(item: unknown): string | undefined {
  const raw = item as { active_task?: { M?: { operation_id?: { S?: string } } } } | undefined;
  return raw?.active_task?.M?.operation_id?.S;
}
