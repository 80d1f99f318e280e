import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fencedDatasetUpdate } from '../datasets/dataset-lock';
import type { DatasetRecord, LastOperation, SkippedMedia, StoredEmbeddingConfig } from '../datasets/dataset-record';
import { getDataset } from '../datasets/dataset-repository';
import type { DatasetStatus } from '../datasets/dataset-status';
import { recordFinishedOperation } from '../datasets/operation-history';
import { phaseOf } from '../datasets/operation-view';
import { type CleanupReport, type CleanupTarget, cleanUpFailedOperation } from './batch-cleanup';
import { type OperationEventSink, operationEndEvent } from './operation-events';

/**
 * The fenced writes by which the pipeline records an operation's progress and outcome (docs/pipeline.md). Each applies
 * only while the operation still holds the dataset lock; a late or duplicate writer changes nothing.
 */
export interface OutcomeTarget {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Where an operation ends: its table, and the sink every operation end is published to (docs/API.md "Events"). */
export interface EndTarget extends OutcomeTarget {
  readonly events: OperationEventSink;
}

export type FailTarget = CleanupTarget & EndTarget;

/** Thrown by a step whose operation no longer holds the lock: the execution must stop without writing anything. */
export class OperationSupersededError extends Error {
  override readonly name = 'OperationSuperseded';
  constructor(datasetId: string, operationId: string) {
    super(`Operation ${operationId} no longer holds dataset ${datasetId}`);
  }
}

export interface OperationRef {
  readonly datasetId: string;
  readonly operationId: string;
  readonly now: Date;
}

/** plan: the shard count the progress is measured against, progress 5 (discovery done), and the embed phase. */
export async function recordPlan(target: OutcomeTarget, ref: OperationRef & { shardsTotal: number }): Promise<void> {
  const applied = await fencedDatasetUpdate(target.client, target.tableName, ref.datasetId, ref.operationId, {
    set: {
      shards_total: ref.shardsTotal,
      shards_done: 0,
      progress: 5,
      'last_operation.phase': 'embed',
      updated_at: ref.now.toISOString(),
    },
  });
  if (!applied) throw new OperationSupersededError(ref.datasetId, ref.operationId);
}

/** The skipped list kept on `last_operation` (the full list stays in the batch's S3 files). */
const SKIPPED_KEPT = 100;

export interface BatchCommit extends OperationRef {
  readonly added: { readonly n_images: number; readonly n_videos: number };
  readonly skipped: {
    readonly count: number;
    /** Of `count`, the media whose bytes the dataset already held. */
    readonly duplicates?: number;
    readonly items: readonly SkippedMedia[];
  };
  readonly autoReindex: boolean;
}

export interface BatchCommitResult {
  readonly status: DatasetStatus;
  readonly auto_reindex: boolean;
  readonly n_added: number;
  readonly n_skipped: number;
}

/** Where an auto_reindex operation's progress stands once its batch is committed and the full clustering begins. */
const CLUSTERING_STARTS_AT = 90;

/**
 * finalize: makes the batch visible (appends it to `batches`), adds its counts, and either ends the operation
 * (PENDING_INDEX, lock released, kept in the operation history) or keeps the lock for the full clustering (INDEXING,
 * progress held at 90 so that it never goes backwards within the operation). A retry after a committed attempt finds
 * the batch already in `batches` and changes nothing but the (idempotent) history record.
 */
export async function commitBatch(target: EndTarget, commit: BatchCommit): Promise<BatchCommitResult> {
  const { datasetId, operationId } = commit;
  const dataset = await getDataset(target.client, target.tableName, datasetId);
  const n_added = commit.added.n_images + commit.added.n_videos;
  const result = (status: DatasetStatus) => ({
    status,
    auto_reindex: commit.autoReindex,
    n_added,
    n_skipped: commit.skipped.count,
  });
  if (dataset?.batches.includes(operationId)) {
    await keepIfFinished(target, dataset, operationId);
    return result(dataset.status);
  }
  if (dataset?.active_task?.operation_id !== operationId) throw new OperationSupersededError(datasetId, operationId);

  const now = commit.now.toISOString();
  const status: DatasetStatus = commit.autoReindex ? 'INDEXING' : 'PENDING_INDEX';
  const progress = commit.autoReindex ? CLUSTERING_STARTS_AT : 100;
  const counts = {
    n_added,
    n_skipped: commit.skipped.count,
    n_duplicates: commit.skipped.duplicates ?? 0,
    skipped: commit.skipped.items.slice(0, SKIPPED_KEPT),
  };
  const ending = commit.autoReindex
    ? { phase: 'cluster' as const }
    : { status: 'SUCCEEDED' as const, finished_at: now, progress: 100 };
  const applied = await fencedDatasetUpdate(target.client, target.tableName, datasetId, operationId, {
    set: {
      // Only the lock holder writes `batches`, so extending the list read above is safe under the fence.
      batches: [...dataset.batches, operationId],
      clustering_state: 'partial',
      status,
      progress,
      ...prefixed('last_operation.', { ...counts, ...ending }),
      updated_at: now,
    },
    add: { n_images: commit.added.n_images, n_videos: commit.added.n_videos },
    remove: commit.autoReindex ? [] : ['active_task'],
  });
  if (!applied) throw new OperationSupersededError(datasetId, operationId);
  if (!commit.autoReindex && dataset.last_operation) {
    const finished: LastOperation = { ...dataset.last_operation, ...counts, ...ending };
    await recordFinishedOperation(target.client, target.tableName, datasetId, finished);
    await target.events(operationEndEvent(datasetId, finished, status));
  }
  return result(status);
}

export interface ReindexCompletion extends OperationRef {
  /** Set on the dataset when it has none yet (initial indexing). */
  readonly embeddingConfig?: StoredEmbeddingConfig | null;
}

export interface ReindexCompletionResult {
  readonly status: DatasetStatus;
  readonly clustering_id: string;
}

/** finish-reindex: commits the clustering built under the operation id and ends the operation (READY, lock released). */
export async function completeReindex(
  target: EndTarget,
  completion: ReindexCompletion,
): Promise<ReindexCompletionResult> {
  const { datasetId, operationId } = completion;
  const dataset = await getDataset(target.client, target.tableName, datasetId);
  if (dataset?.clustering_id === operationId && dataset.active_task?.operation_id !== operationId) {
    await keepIfFinished(target, dataset, operationId);
    return { status: dataset.status, clustering_id: operationId };
  }
  if (dataset?.active_task?.operation_id !== operationId) throw new OperationSupersededError(datasetId, operationId);

  const now = completion.now.toISOString();
  const ending = { status: 'SUCCEEDED' as const, finished_at: now, progress: 100 };
  const applied = await fencedDatasetUpdate(target.client, target.tableName, datasetId, operationId, {
    set: {
      status: 'READY',
      clustering_id: operationId,
      clustering_state: 'full',
      progress: 100,
      ...(dataset.embedding_config || !completion.embeddingConfig
        ? {}
        : { embedding_config: completion.embeddingConfig }),
      ...prefixed('last_operation.', ending),
      updated_at: now,
    },
    remove: ['active_task'],
  });
  if (!applied) throw new OperationSupersededError(datasetId, operationId);
  if (dataset.last_operation) {
    const finished: LastOperation = { ...dataset.last_operation, ...ending };
    await recordFinishedOperation(target.client, target.tableName, datasetId, finished);
    await target.events(operationEndEvent(datasetId, finished, 'READY'));
  }
  return { status: 'READY', clustering_id: operationId };
}

export interface OperationFailure extends OperationRef {
  /** The readable message the API shows in `error` and `last_operation.error`. */
  readonly message: string;
}

export type FailureResult =
  | { readonly released: false }
  | { readonly released: true; readonly error: string; readonly cleanup: CleanupReport };

/**
 * mark-failed / stale-lock / sweeper: if the operation still holds the lock, ends it in ERROR with a readable message,
 * releases the lock, then removes what it wrote but never committed (best effort, reported). Otherwise changes nothing.
 */
export async function failOperation(target: FailTarget, failure: OperationFailure): Promise<FailureResult> {
  const { datasetId, operationId } = failure;
  const dataset = await getDataset(target.client, target.tableName, datasetId);
  const task = dataset?.active_task;
  if (!dataset || task?.operation_id !== operationId) return { released: false };

  const now = failure.now.toISOString();
  // Written whole (not by nested path) so a dataset whose last_operation is missing or stale still gets released.
  const running: LastOperation =
    dataset.last_operation?.operation_id === operationId
      ? dataset.last_operation
      : { type: task.type, operation_id: operationId, started_at: task.started_at, status: 'RUNNING' };
  const phase = phaseOf(running, dataset);
  const lastOperation: LastOperation = {
    ...running,
    ...(phase ? { phase } : {}),
    status: 'FAILED',
    finished_at: now,
    progress: dataset.progress,
    error: failure.message,
  };
  const released = await fencedDatasetUpdate(target.client, target.tableName, datasetId, operationId, {
    set: { status: 'ERROR', error: failure.message, last_operation: lastOperation, updated_at: now },
    remove: ['active_task'],
  });
  if (!released) return { released: false };
  await recordFinishedOperation(target.client, target.tableName, datasetId, lastOperation);
  await target.events(operationEndEvent(datasetId, lastOperation, 'ERROR'));
  const cleanup = await cleanUpFailedOperation(target, { operationId, taskType: task.type, dataset });
  return { released: true, error: failure.message, cleanup };
}

/**
 * A retried step whose operation already ended writes its history record and publishes its end again (the first attempt
 * may have died in between): events are at least once, consumers dedupe on `operation_id`.
 */
async function keepIfFinished(target: EndTarget, dataset: DatasetRecord, operationId: string): Promise<void> {
  const operation = dataset.last_operation;
  if (operation?.operation_id === operationId && operation.status !== 'RUNNING') {
    await recordFinishedOperation(target.client, target.tableName, dataset.id, operation);
    await target.events(operationEndEvent(dataset.id, operation, dataset.status));
  }
}

const prefixed = (prefix: string, values: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}${key}`, value]));
