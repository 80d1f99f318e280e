import { statusNew } from '../../core/datasets/dataset-status';
import * as messages from '../../core/operations/api-messages';
import type { OperationRefusal } from '../../core/operations/operation-result';

export interface HttpError {
  readonly statusCode: number;
  readonly detail: string;
}

/** The status code and API.md message of each refusal. */
export function refusalStatus(refusal: OperationRefusal): HttpError {
  switch (refusal.reason) {
    case 'invalid_input':
      return { statusCode: 400, detail: refusal.detail };
    case 'invalid_source':
      return {
        statusCode: 400,
        detail:
          refusal.sourceKind === 's3_uri'
            ? messages.invalidS3Source(refusal.uri)
            : messages.invalidLocalSource(refusal.uri),
      };
    case 'feature_disabled':
      return { statusCode: 403, detail: messages.ADD_MEDIA_DISABLED };
    case 'not_found':
      return { statusCode: 404, detail: messages.DATASET_NOT_FOUND };
    case 'missing_item':
      return { statusCode: 404, detail: refusal.detail };
    case 'forbidden':
      return { statusCode: 403, detail: messages.noWriteAccess(refusal.datasetId) };
    case 'no_embedding_config':
      return { statusCode: 400, detail: messages.noEmbeddingConfig(refusal.datasetId) };
    case 'encoder_changed':
      return {
        statusCode: 409,
        detail: messages.encoderChanged(refusal.datasetId, refusal.indexedWith, refusal.deploymentEncoder),
      };
    case 'busy':
      return { statusCode: 409, detail: messages.operationBlocked(refusal.operation, refusal.taskType) };
    case 'status':
      return { statusCode: 409, detail: messages.operationNotAllowed(refusal.operation, statusNew(refusal.status)) };
    case 'quota_exceeded':
      // A dataset count stays until datasets go (403); running operations end by themselves (429: retry later).
      return refusal.quota === 'datasets'
        ? { statusCode: 403, detail: messages.datasetQuotaReached(refusal.limit) }
        : { statusCode: 429, detail: messages.operationQuotaReached(refusal.limit) };
    case 'staging_failed':
      return { statusCode: 500, detail: messages.STAGING_FAILED };
    case 'start_failed':
      return {
        statusCode: 500,
        detail: refusal.pipeline === 'reindex' ? messages.REINDEX_START_FAILED : messages.ADD_MEDIA_START_FAILED,
      };
  }
}
