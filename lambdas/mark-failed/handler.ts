import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient } from '../../core/aws/dynamo-client';
import { createS3Client } from '../../core/aws/s3-client';
import { storageConfig } from '../../core/config/pipeline-config';
import { readableFailure, shorten } from '../../core/pipeline/failure-message';
import { type FailureResult, failOperation } from '../../core/pipeline/operation-commit';
import { operationEventSink } from '../../core/pipeline/operation-event-sinks';
import { failureEventSchema, parsePipelineEvent } from '../../core/pipeline/pipeline-events';
import { latestWorkerError } from '../../core/pipeline/worker-error-report';

const config = storageConfig();
const dynamo = createDocumentClient();
const s3 = createS3Client();
const logger = new Logger({ serviceName: 'mark-failed' });
const events = operationEventSink(config.operationEventBus, logger);

/**
 * Catch of every state: ERROR with a readable message, lock released, `Operation Failed` published, uncommitted
 * artefacts removed (best effort).
 */
export const handler = async (event: unknown): Promise<FailureResult> => {
  const { input, error } = parsePipelineEvent(failureEventSchema, event, 'mark-failed input');
  const result = await failOperation(
    { client: dynamo, tableName: config.tableName, storage: { s3, bucket: config.bucketName }, events },
    {
      datasetId: input.dataset_id,
      operationId: input.operation_id,
      message: await failureMessage(input, error),
      now: new Date(),
    },
  );
  if (result.released && result.cleanup.errors.length)
    logger.warn('Cleanup of the failed operation was incomplete', {
      operation_id: input.operation_id,
      errors: result.cleanup.errors,
    });
  return result;
};

/** The worker's own message when one reported it (read before cleanup removes it), else what the Catch received. */
async function failureMessage(
  input: { dataset_id: string; operation_id: string },
  error: Parameters<typeof readableFailure>[0],
) {
  try {
    const reported = await latestWorkerError(s3, config.bucketName, input.dataset_id, input.operation_id);
    if (reported) return shorten(reported.error);
  } catch (readError) {
    logger.warn('Could not read the worker error report', {
      operation_id: input.operation_id,
      error: readError as Error,
    });
  }
  return readableFailure(error);
}
