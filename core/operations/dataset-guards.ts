import { acquireDatasetLock, type LockRefusal, type LockResult, rollbackDatasetLock } from '../datasets/dataset-lock';
import { canRead, canWrite, type DatasetRecord } from '../datasets/dataset-record';
import { isAllowedFrom, OPERATIONS, type OperationName } from '../datasets/dataset-status';
import { type EmbeddingConfig, encoderName, sameEncoder } from '../datasets/embedding-config';
import type { OperationContext } from './operation-context';
import type { OperationRefusal } from './operation-result';

/** The dataset if the caller may see it; otherwise it does not exist for them (API.md: existence is not leaked). */
export const readableDataset = (dataset: DatasetRecord | undefined, caller: string): DatasetRecord | undefined =>
  dataset && canRead(dataset, caller) ? dataset : undefined;

/**
 * Why `operation` cannot start on `dataset` as it was read: 404, 403, then the rules the lock enforces atomically, in the
 * lock's own order (busy before embedding config before status, dataset-lock.ts) so that the early answer and the
 * lock's answer agree. Undefined when it may start.
 */
export function operationRefusal(
  dataset: DatasetRecord | undefined,
  caller: string,
  operation: OperationName,
): OperationRefusal | undefined {
  if (!readableDataset(dataset, caller)) return { reason: 'not_found' };
  const found = dataset!;
  if (!canWrite(found, caller)) return { reason: 'forbidden', datasetId: found.id };
  if (found.active_task) return { reason: 'busy', operation, taskType: found.active_task.type };
  if (operation === 'add_media' && !found.embedding_config)
    return { reason: 'no_embedding_config', datasetId: found.id };
  if (!isAllowedFrom(operation, found.status)) return { reason: 'status', operation, status: found.status };
  return undefined;
}

/**
 * Why media cannot be added to `dataset` by a deployment that embeds with `deployment`'s encoder: its vectors would not
 * compare with the dataset's (issue 9: a local dataset indexed by an earlier default encoder failed in embed, after the
 * lock and the staging). A dataset's config never changes once set, so this early answer needs no atomic re-check.
 */
export function encoderRefusal(dataset: DatasetRecord, deployment: EmbeddingConfig): OperationRefusal | undefined {
  const indexedWith = dataset.embedding_config;
  if (!indexedWith || sameEncoder(indexedWith, deployment)) return undefined;
  return {
    reason: 'encoder_changed',
    datasetId: dataset.id,
    indexedWith: encoderName(indexedWith),
    deploymentEncoder: encoderName(deployment),
  };
}

/** Takes the dataset lock for `operation` (dataset-status.ts OPERATIONS: where it may start, what it locks). */
export function acquireOperationLock(
  context: OperationContext,
  operation: OperationName,
  lock: { readonly datasetId: string; readonly operationId: string; readonly now: Date },
): Promise<LockResult> {
  const { taskType, allowedFrom, lockedStatus } = OPERATIONS[operation];
  return acquireDatasetLock(context.dynamo, context.config.tableName, {
    ...lock,
    taskType,
    allowedFrom,
    lockedStatus,
    requireEmbeddingConfig: operation === 'add_media',
  });
}

/** The refusal the lock answered with (the dataset changed since it was read). */
export function lockRefusal(refusal: LockRefusal, operation: OperationName, datasetId: string): OperationRefusal {
  switch (refusal.reason) {
    case 'not_found':
      return { reason: 'not_found' };
    case 'busy':
      return { reason: 'busy', operation, taskType: refusal.taskType };
    case 'no_embedding_config':
      return { reason: 'no_embedding_config', datasetId };
    case 'status':
      return { reason: 'status', operation, status: refusal.status };
  }
}

/**
 * Gives the dataset back as it was when the execution could not start. Should that write fail too, the lock stays for
 * the stale-lock sweeper (its execution is MISSING), and the caller still cleans up and answers its 500.
 */
export async function releaseUnstartedLock(
  context: OperationContext,
  operationId: string,
  previous: DatasetRecord,
): Promise<void> {
  await rollbackDatasetLock(context.dynamo, context.config.tableName, operationId, previous).catch((error: unknown) =>
    context.logger.error('Could not roll the lock back', {
      datasetId: previous.id,
      operationId,
      error: error as Error,
    }),
  );
}
