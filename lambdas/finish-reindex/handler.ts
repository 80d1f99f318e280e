import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient } from '../../core/aws/dynamo-client';
import { storageConfig } from '../../core/config/pipeline-config';
import { completeReindex, type ReindexCompletionResult } from '../../core/pipeline/operation-commit';
import { operationEventSink } from '../../core/pipeline/operation-event-sinks';
import { parsePipelineEvent, stepEventSchema } from '../../core/pipeline/pipeline-events';

const config = storageConfig();
const dynamo = createDocumentClient();
const events = operationEventSink(config.operationEventBus, new Logger({ serviceName: 'finish-reindex' }));

/**
 * Step 2 of reindex (and the last step of add-media with auto_reindex): commits the new clustering, fenced, and publishes
 * the `Operation Succeeded` event.
 */
export const handler = async (event: unknown): Promise<ReindexCompletionResult> => {
  const { input } = parsePipelineEvent(stepEventSchema, event, 'finish-reindex input');
  return await completeReindex(
    { client: dynamo, tableName: config.tableName, events },
    {
      datasetId: input.dataset_id,
      operationId: input.operation_id,
      embeddingConfig: input.embedding_config,
      now: new Date(),
    },
  );
};
