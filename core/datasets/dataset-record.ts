import type { DatasetView } from '../api-schema/response-bodies';
import { type DatasetStatus, statusNew, type TaskType } from './dataset-status';

export type { DatasetView };

/** Kept minimal here; the full schema lives in embedding-config.ts. */
export interface StoredEmbeddingConfig {
  readonly model_id: string;
  readonly dimension: number;
  readonly [key: string]: unknown;
}

export interface ActiveTask {
  readonly type: TaskType;
  readonly operation_id: string;
  readonly started_at: string;
}

export interface SkippedMedia {
  readonly name: string;
  readonly reason: string;
}

/** The step of the pipeline an operation is in (docs/pipeline.md); `assign` is derived from the shard counts. */
export type OperationPhase = 'discover' | 'embed' | 'assign' | 'cluster';

export interface LastOperation {
  readonly type: TaskType;
  readonly operation_id: string;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  readonly started_at: string;
  /** The phase last entered; absent on operations recorded before phases were. */
  readonly phase?: OperationPhase;
  /** The progress the operation ended with (the dataset's `progress` while it runs). */
  readonly progress?: number;
  readonly finished_at?: string;
  readonly n_added?: number;
  readonly n_skipped?: number;
  /** Of the skipped, those already in the dataset (same bytes). */
  readonly n_duplicates?: number;
  readonly skipped?: SkippedMedia[];
  readonly error?: string;
}

/** The dataset item as stored (docs/data-model.md). */
export interface DatasetRecord {
  readonly pk: string;
  readonly sk: string;
  readonly id: string;
  readonly display_name: string;
  readonly owner: string;
  readonly readers: readonly string[];
  readonly writers: readonly string[];
  readonly status: DatasetStatus;
  readonly n_images: number;
  readonly n_videos: number;
  readonly progress: number;
  readonly embedding_config?: StoredEmbeddingConfig;
  /** The similarity_threshold asked for at creation, for the embedding config of the first indexing. */
  readonly similarity_threshold?: number;
  readonly active_task?: ActiveTask;
  readonly last_operation?: LastOperation;
  readonly error?: string;
  readonly batches: readonly string[];
  readonly clustering_id?: string;
  readonly clustering_state?: 'full' | 'partial';
  readonly shards_total?: number;
  readonly shards_done?: number;
  readonly created_at: string;
  readonly updated_at: string;
}

function thresholdInForce(dataset: DatasetRecord): number | null {
  const stored = dataset.embedding_config?.similarity_threshold;
  if (typeof stored === 'number') return stored;
  return dataset.embedding_config ? null : (dataset.similarity_threshold ?? null);
}

export const canRead = (dataset: DatasetRecord, sub: string): boolean =>
  dataset.owner === sub || dataset.readers.includes(sub) || dataset.writers.includes(sub);

export const canWrite = (dataset: DatasetRecord, sub: string): boolean =>
  dataset.owner === sub || dataset.writers.includes(sub);

/** The dataset as GET /api/v1/dataset/{id} shows it (API.md), typed by its response schema. */
export function toDatasetView(dataset: DatasetRecord): DatasetView {
  return {
    id: dataset.id,
    display_name: dataset.display_name,
    status: dataset.status,
    status_new: statusNew(dataset.status),
    n_images: dataset.n_images,
    n_videos: dataset.n_videos,
    progress: dataset.progress,
    embedding_config: dataset.embedding_config ?? null,
    // The threshold in force: the one stored with the embedding config; before the first indexing the one asked for
    // at creation, or null (the deployment's encoder default will be stored then).
    similarity_threshold: thresholdInForce(dataset),
    active_task: dataset.active_task ?? null,
    last_operation: dataset.last_operation ?? null,
    error: dataset.error ?? null,
    clustering_state: dataset.clustering_state ?? null,
    created_at: dataset.created_at,
    updated_at: dataset.updated_at,
  };
}
