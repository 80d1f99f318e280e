import type { StoredEmbeddingConfig } from '../datasets/dataset-record';
import type { TaskType } from '../datasets/dataset-status';
import type { MediaCountOverrides, MediaOptions } from './media-source';

/** docs/pipeline.md "Execution input": built here only, so the state machines see one shape. */
export interface ExecutionSource {
  readonly kind: 's3_uri' | 'staged_files' | 'staged_archive' | 'local_path';
  readonly uri: string;
}

export interface AddMediaExecutionInput {
  readonly dataset_id: string;
  readonly operation_id: string;
  readonly operation: 'add_media' | 'initial_index';
  readonly task_type: Extract<TaskType, 'MEDIA_ADDITION' | 'INITIAL_INDEX'>;
  readonly caller: string;
  readonly source: ExecutionSource;
  readonly auto_reindex: boolean;
  readonly assume_role: string | null;
  readonly use_spot: boolean | null;
  readonly overrides: MediaCountOverrides;
  readonly embedding_config: StoredEmbeddingConfig;
}

export interface ReindexExecutionInput {
  readonly dataset_id: string;
  readonly operation_id: string;
  readonly operation: 'reindex';
  readonly task_type: 'REINDEX';
  readonly caller: string;
  readonly use_spot: boolean | null;
  /** The dataset's config, or the default one its initial index embedded with when that index failed before finishing. */
  readonly embedding_config: StoredEmbeddingConfig;
}

export interface AddMediaInputParts {
  readonly datasetId: string;
  readonly operationId: string;
  readonly caller: string;
  readonly source: ExecutionSource;
  readonly options: MediaOptions;
  readonly embeddingConfig: StoredEmbeddingConfig;
}

/** `add_media` on an indexed dataset (its own embedding config), or `initial_index` of a new one (always re-clusters). */
export function addMediaExecutionInput(
  operation: 'add_media' | 'initial_index',
  parts: AddMediaInputParts,
): AddMediaExecutionInput {
  const initial = operation === 'initial_index';
  return {
    dataset_id: parts.datasetId,
    operation_id: parts.operationId,
    operation,
    task_type: initial ? 'INITIAL_INDEX' : 'MEDIA_ADDITION',
    caller: parts.caller,
    source: { kind: parts.source.kind, uri: parts.source.uri },
    auto_reindex: initial || parts.options.autoReindex,
    assume_role: parts.options.assumeRole,
    use_spot: parts.options.useSpot,
    overrides: { ...parts.options.overrides },
    embedding_config: parts.embeddingConfig,
  };
}

export function reindexExecutionInput(parts: {
  readonly datasetId: string;
  readonly operationId: string;
  readonly caller: string;
  readonly useSpot: boolean | null;
  readonly embeddingConfig: StoredEmbeddingConfig;
}): ReindexExecutionInput {
  return {
    dataset_id: parts.datasetId,
    operation_id: parts.operationId,
    operation: 'reindex',
    task_type: 'REINDEX',
    caller: parts.caller,
    use_spot: parts.useSpot,
    embedding_config: parts.embeddingConfig,
  };
}
