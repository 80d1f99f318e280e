import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient } from '../../core/aws/dynamo-client';
import { createS3Client } from '../../core/aws/s3-client';
import { recoveryConfig } from '../../core/config/pipeline-config';
import { operationEventSink } from '../../core/pipeline/operation-event-sinks';
import { executionStatusEventSchema, parsePipelineEvent } from '../../core/pipeline/pipeline-events';
import { recoverFromStatusEvent, type StatusEventOutcome } from '../../core/pipeline/stale-lock-recovery';

const config = recoveryConfig();
const dynamo = createDocumentClient();
const s3 = createS3Client();
const logger = new Logger({ serviceName: 'stale-lock' });
const events = operationEventSink(config.operationEventBus, logger);

/** EventBridge "Step Functions Execution Status Change" (FAILED / TIMED_OUT / ABORTED) → release a lock left behind. */
export const handler = async (event: unknown): Promise<StatusEventOutcome> => {
  const statusEvent = parsePipelineEvent(executionStatusEventSchema, event, 'execution status event');
  const outcome = await recoverFromStatusEvent(
    {
      client: dynamo,
      tableName: config.tableName,
      storage: { s3, bucket: config.bucketName },
      events,
      machines: { addMedia: config.addMediaStateMachineArn, reindex: config.reindexStateMachineArn },
      now: new Date(),
    },
    statusEvent,
  );
  logger.info(outcome.recovered ? 'Released a stale lock' : 'No lock to release', {
    execution: statusEvent.detail.executionArn,
    outcome,
  });
  return outcome;
};
