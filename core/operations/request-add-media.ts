import { randomUUID } from 'node:crypto';
import { getDataset } from '../datasets/dataset-repository';
import {
  acquireOperationLock,
  encoderRefusal,
  lockRefusal,
  operationRefusal,
  releaseUnstartedLock,
} from './dataset-guards';
import { addMediaExecutionInput } from './execution-input';
import { discardStaged, prepareExecutionSource } from './execution-source';
import type { MediaOptions, MediaSource } from './media-source';
import { sourcePrecheckRefusal, sourceRefusal } from './media-source-checks';
import type { OperationContext } from './operation-context';
import { type Refused, refuse, type Started } from './operation-result';
import { startExecution } from './start-execution';
import { quotaRefusal } from './usage-quotas';

export interface AddMediaCommand {
  readonly datasetId: string;
  /** The caller's `sub`. */
  readonly caller: string;
  readonly source: MediaSource;
  readonly options: MediaOptions;
  readonly now: Date;
}

/**
 * Starts adding media to a dataset (API.md add_media), checks cheapest first: feature flag, the source's syntax and
 * allow-lists, the dataset (404 / 403 / 409 / 400 no embedding config / 409 another encoder), the S3 or local
 * pre-check; then stages uploads, takes the lock (which re-checks the status atomically) and starts the execution named
 * after the operation. Whatever fails leaves nothing behind: staged uploads are deleted and a lock taken is rolled back.
 */
export async function requestAddMedia(context: OperationContext, command: AddMediaCommand): Promise<Started | Refused> {
  const { config, logger } = context;
  if (!config.addMediaEnabled) return refuse({ reason: 'feature_disabled' });
  const invalidSource = sourceRefusal(context, command.source, command.options);
  if (invalidSource) return refuse(invalidSource);

  const dataset = await getDataset(context.dynamo, config.tableName, command.datasetId);
  const refusal =
    operationRefusal(dataset, command.caller, 'add_media') ?? encoderRefusal(dataset!, config.defaultEmbeddingConfig);
  if (refusal) return refuse(refusal);
  const quota = await quotaRefusal(context, dataset!.owner, { dataset: false, operation: true });
  if (quota) return refuse(quota);

  const operationId = randomUUID();
  const precheck = await sourcePrecheckRefusal(context, command.source, command.options, operationId);
  if (precheck) return refuse(precheck);

  const prepared = await prepareExecutionSource(context, command.datasetId, operationId, command.source);
  if (!prepared.ok) return prepared;

  const lock = await acquireOperationLock(context, 'add_media', {
    datasetId: command.datasetId,
    operationId,
    now: command.now,
  });
  if (!lock.acquired) {
    await discardStaged(context, prepared.stagedKeys);
    return refuse(lockRefusal(lock, 'add_media', command.datasetId));
  }

  const input = addMediaExecutionInput('add_media', {
    datasetId: command.datasetId,
    operationId,
    caller: command.caller,
    source: prepared.source,
    options: command.options,
    // The config the lock saw: the one the dataset will keep for this batch.
    embeddingConfig: lock.previous.embedding_config!,
  });
  try {
    await startExecution(context.sfn, config.addMediaStateMachineArn, operationId, input);
  } catch (error) {
    logger.error('StartExecution failed; releasing the lock', {
      datasetId: command.datasetId,
      operationId,
      error: error as Error,
    });
    await releaseUnstartedLock(context, operationId, lock.previous);
    await discardStaged(context, prepared.stagedKeys);
    return refuse({ reason: 'start_failed', pipeline: 'add_media' });
  }
  logger.info('Add media started', { datasetId: command.datasetId, operationId, source: prepared.source.kind });
  return { ok: true, datasetId: command.datasetId, operationId };
}
