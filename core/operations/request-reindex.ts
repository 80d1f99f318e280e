import { randomUUID } from 'node:crypto';
import { getDataset } from '../datasets/dataset-repository';
import { embeddingConfigFor } from '../datasets/embedding-config';
import { acquireOperationLock, lockRefusal, operationRefusal, releaseUnstartedLock } from './dataset-guards';
import { reindexExecutionInput } from './execution-input';
import type { OperationContext } from './operation-context';
import { type Refused, refuse, type Started } from './operation-result';
import { startExecution } from './start-execution';
import { quotaRefusal } from './usage-quotas';

export interface ReindexCommand {
  readonly datasetId: string;
  readonly caller: string;
  /** null: the deployment's default. */
  readonly useSpot: boolean | null;
  readonly now: Date;
}

/** Starts a full re-clustering (API.md reindex): allowed from PARTIAL INDEX and ERROR; the lock is rolled back on failure. */
export async function requestReindex(context: OperationContext, command: ReindexCommand): Promise<Started | Refused> {
  const { config, logger } = context;
  const dataset = await getDataset(context.dynamo, config.tableName, command.datasetId);
  const refusal = operationRefusal(dataset, command.caller, 'reindex');
  if (refusal) return refuse(refusal);
  const quota = await quotaRefusal(context, dataset!.owner, { dataset: false, operation: true });
  if (quota) return refuse(quota);

  const operationId = randomUUID();
  const lock = await acquireOperationLock(context, 'reindex', {
    datasetId: command.datasetId,
    operationId,
    now: command.now,
  });
  if (!lock.acquired) return refuse(lockRefusal(lock, 'reindex', command.datasetId));

  const input = reindexExecutionInput({
    datasetId: command.datasetId,
    operationId,
    caller: command.caller,
    useSpot: command.useSpot,
    embeddingConfig:
      lock.previous.embedding_config ??
      embeddingConfigFor(config.defaultEmbeddingConfig, lock.previous.similarity_threshold),
  });
  try {
    await startExecution(context.sfn, config.reindexStateMachineArn, operationId, input);
  } catch (error) {
    logger.error('StartExecution failed; releasing the lock', {
      datasetId: command.datasetId,
      operationId,
      error: error as Error,
    });
    await releaseUnstartedLock(context, operationId, lock.previous);
    return refuse({ reason: 'start_failed', pipeline: 'reindex' });
  }
  logger.info('Reindex started', { datasetId: command.datasetId, operationId });
  return { ok: true, datasetId: command.datasetId, operationId };
}
