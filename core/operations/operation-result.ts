import type { DatasetStatus, OperationName, TaskType } from '../datasets/dataset-status';

/**
 * Why a domain function did not start an operation. Transport-neutral: the API handlers and the local runtime's on-prem
 * routes map it to a status and an API.md message with `refusalStatus` (lambdas/http/refusal-status.ts).
 */
export type OperationRefusal =
  | { readonly reason: 'invalid_input'; readonly detail: string }
  | { readonly reason: 'invalid_source'; readonly sourceKind: 's3_uri' | 'local_path'; readonly uri: string }
  | { readonly reason: 'feature_disabled' }
  | { readonly reason: 'not_found' }
  /** The dataset is readable but the cluster or operation named in the path is not one of its own. */
  | { readonly reason: 'missing_item'; readonly detail: string }
  | { readonly reason: 'forbidden'; readonly datasetId: string }
  | { readonly reason: 'no_embedding_config'; readonly datasetId: string }
  /** The dataset's vectors come from another encoder than the one this deployment embeds with. */
  | {
      readonly reason: 'encoder_changed';
      readonly datasetId: string;
      readonly indexedWith: string;
      readonly deploymentEncoder: string;
    }
  | { readonly reason: 'busy'; readonly operation: OperationName; readonly taskType: TaskType }
  | { readonly reason: 'status'; readonly operation: OperationName; readonly status: DatasetStatus }
  | {
      readonly reason: 'quota_exceeded';
      readonly quota: 'datasets' | 'active_operations';
      readonly limit: number;
    }
  | { readonly reason: 'staging_failed' }
  | { readonly reason: 'start_failed'; readonly pipeline: 'add_media' | 'reindex' };

export type Refused = { readonly ok: false; readonly refusal: OperationRefusal };

/** An operation the domain accepted: its execution was started (or, for a create without media, the dataset written). */
export interface Started {
  readonly ok: true;
  readonly datasetId: string;
  readonly operationId: string | null;
}

export const refuse = (refusal: OperationRefusal): Refused => ({ ok: false, refusal });
