import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createDocumentClient } from '../../core/aws/dynamo-client';
import { createS3Client } from '../../core/aws/s3-client';
import { recoveryConfig } from '../../core/config/pipeline-config';
import { operationEventSink } from '../../core/pipeline/operation-event-sinks';
import {
  recoverStaleLocks,
  type StaleLockReport,
  stepFunctionsExecutionStatus,
} from '../../core/pipeline/stale-lock-recovery';

/** Long enough for the API to start the execution after taking the lock, and for DescribeExecution to see it. */
export const SWEEPER_GRACE_MS = 15 * 60 * 1000;

const config = recoveryConfig();
const dynamo = createDocumentClient();
const s3 = createS3Client();
const sfn = new SFNClient({});
const logger = new Logger({ serviceName: 'sweeper' });
const events = operationEventSink(config.operationEventBus, logger);

/** Scheduled: releases locks whose execution is no longer running (a missed status event, or never started). */
export const handler = async (): Promise<StaleLockReport> => {
  const report = await recoverStaleLocks({
    client: dynamo,
    tableName: config.tableName,
    storage: { s3, bucket: config.bucketName },
    events,
    now: new Date(),
    graceMs: SWEEPER_GRACE_MS,
    executionStatus: stepFunctionsExecutionStatus(sfn, {
      addMedia: config.addMediaStateMachineArn,
      reindex: config.reindexStateMachineArn,
    }),
  });
  if (report.errors.length) logger.error('Some locks could not be checked', { errors: report.errors });
  if (report.recovered.length) logger.info('Released stale locks', { recovered: report.recovered });
  return report;
};
