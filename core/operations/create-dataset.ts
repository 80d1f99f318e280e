import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { newDatasetRecord, putNewDataset } from '../datasets/dataset-repository';
import { embeddingConfigFor } from '../datasets/embedding-config';
import { datasetKey } from '../store/table-schema';
import * as messages from './api-messages';
import { addMediaExecutionInput } from './execution-input';
import { discardStaged, prepareExecutionSource } from './execution-source';
import type { MediaOptions, MediaSource } from './media-source';
import { sourcePrecheckRefusal, sourceRefusal } from './media-source-checks';
import type { OperationContext } from './operation-context';
import { type Refused, refuse, type Started } from './operation-result';
import { startExecution } from './start-execution';
import { quotaRefusal } from './usage-quotas';

export interface CreateDatasetCommand {
  readonly caller: string;
  readonly displayName: string;
  /** Replaces the encoder's calibrated similarity_threshold for this dataset; kept until its first indexing. */
  readonly similarityThreshold?: number;
  /** Without a source the dataset is created empty, READY and without an embedding config. */
  readonly source: MediaSource | undefined;
  readonly options: MediaOptions;
  readonly now: Date;
}

/**
 * Creates a dataset (API.md extension). With a source it is born locked by its INITIAL_INDEX operation (status
 * INDEXING) and the add-media workflow runs with `auto_reindex` and the deployment's default embedding config. If the
 * execution cannot start, the dataset item and the staged uploads are deleted again.
 */
export async function createDataset(
  context: OperationContext,
  command: CreateDatasetCommand,
): Promise<Started | Refused> {
  const { config, logger } = context;
  const datasetId = randomUUID();
  const base = {
    id: datasetId,
    displayName: command.displayName,
    owner: command.caller,
    now: command.now,
    similarityThreshold: command.similarityThreshold,
  };
  if (!command.source) {
    if (command.options.assumeRole !== null)
      return refuse({ reason: 'invalid_input', detail: messages.assumeRoleNeedsS3Source });
    const quota = await quotaRefusal(context, command.caller, { dataset: true, operation: false });
    if (quota) return refuse(quota);
    await putNewDataset(context.dynamo, config.tableName, newDatasetRecord(base));
    logger.info('Empty dataset created', { datasetId });
    return { ok: true, datasetId, operationId: null };
  }

  const invalidSource = sourceRefusal(context, command.source, command.options);
  if (invalidSource) return refuse(invalidSource);
  const quota = await quotaRefusal(context, command.caller, { dataset: true, operation: true });
  if (quota) return refuse(quota);
  const operationId = randomUUID();
  const precheck = await sourcePrecheckRefusal(context, command.source, command.options, operationId);
  if (precheck) return refuse(precheck);
  const prepared = await prepareExecutionSource(context, datasetId, operationId, command.source);
  if (!prepared.ok) return prepared;

  try {
    await putNewDataset(context.dynamo, config.tableName, newDatasetRecord({ ...base, initialIndex: { operationId } }));
  } catch (error) {
    await discardStaged(context, prepared.stagedKeys);
    throw error;
  }

  const input = addMediaExecutionInput('initial_index', {
    datasetId,
    operationId,
    caller: command.caller,
    source: prepared.source,
    options: command.options,
    embeddingConfig: embeddingConfigFor(config.defaultEmbeddingConfig, command.similarityThreshold),
  });
  try {
    await startExecution(context.sfn, config.addMediaStateMachineArn, operationId, input);
  } catch (error) {
    logger.error('StartExecution failed; deleting the new dataset', { datasetId, operationId, error: error as Error });
    await deleteUnstartedDataset(context, datasetId, operationId).catch((deleteError: unknown) =>
      logger.error('Could not delete the unstarted dataset', { datasetId, operationId, error: deleteError as Error }),
    );
    await discardStaged(context, prepared.stagedKeys);
    return refuse({ reason: 'start_failed', pipeline: 'add_media' });
  }
  logger.info('Dataset created with its initial index', { datasetId, operationId, source: prepared.source.kind });
  return { ok: true, datasetId, operationId };
}

/** Deletes the item only while our operation still holds it (fenced like every write of an operation). */
async function deleteUnstartedDataset(
  context: OperationContext,
  datasetId: string,
  operationId: string,
): Promise<void> {
  try {
    await context.dynamo.send(
      new DeleteCommand({
        TableName: context.config.tableName,
        Key: datasetKey(datasetId),
        ConditionExpression: '#task.#op = :op',
        ExpressionAttributeNames: { '#task': 'active_task', '#op': 'operation_id' },
        ExpressionAttributeValues: { ':op': operationId },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
