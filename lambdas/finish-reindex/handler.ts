import { createDocumentClient } from '../../core/aws/dynamo-client';
import { storageConfig } from '../../core/config/pipeline-config';
import { completeReindex, type ReindexCompletionResult } from '../../core/pipeline/operation-commit';
import { parsePipelineEvent, stepEventSchema } from '../../core/pipeline/pipeline-events';

const config = storageConfig();
const dynamo = createDocumentClient();

/** Step 2 of reindex (and the last step of add-media with auto_reindex): commits the new clustering, fenced. */
export const handler = async (event: unknown): Promise<ReindexCompletionResult> => {
  const { input } = parsePipelineEvent(stepEventSchema, event, 'finish-reindex input');
  return completeReindex(
    { client: dynamo, tableName: config.tableName },
    {
      datasetId: input.dataset_id,
      operationId: input.operation_id,
      embeddingConfig: input.embedding_config,
      now: new Date(),
    },
  );
};
