import type { OperationView } from '../api-schema/response-bodies';
import type { DatasetRecord, LastOperation, OperationPhase } from './dataset-record';

/** An operation as GET /api/v1/dataset/{id}/operations/{operation_id} shows it (docs/API.md), from its response schema. */
export type { OperationView };

/**
 * The phase a running operation is in: what the pipeline last recorded, except that an add whose shards are all embedded
 * is assigning its media to clusters (the assign worker records nothing of its own before finalize).
 */
export function phaseOf(operation: LastOperation, dataset: DatasetRecord | undefined): OperationPhase | null {
  const phase = operation.phase ?? null;
  const live = dataset?.active_task?.operation_id === operation.operation_id;
  if (
    live &&
    phase === 'embed' &&
    (dataset.shards_total ?? 0) > 0 &&
    (dataset.shards_done ?? 0) >= dataset.shards_total!
  )
    return 'assign';
  return phase;
}

/**
 * `dataset` is passed when `operation` is its `last_operation`: a running operation's progress is then the dataset's,
 * which the pipeline only ever moves forward within an operation (docs/pipeline.md).
 */
export function toOperationView(
  datasetId: string,
  operation: LastOperation,
  dataset: DatasetRecord | undefined,
): OperationView {
  const running = operation.status === 'RUNNING';
  return {
    operation_id: operation.operation_id,
    dataset_id: datasetId,
    type: operation.type,
    status: operation.status,
    phase: phaseOf(operation, dataset),
    progress: running ? (dataset?.progress ?? 0) : (operation.progress ?? (operation.status === 'SUCCEEDED' ? 100 : 0)),
    n_added: operation.n_added ?? null,
    n_skipped: operation.n_skipped ?? null,
    n_duplicates: operation.n_skipped === undefined ? null : (operation.n_duplicates ?? 0),
    skipped: operation.skipped ?? [],
    error: operation.error ?? null,
    started_at: operation.started_at,
    finished_at: operation.finished_at ?? null,
  };
}
