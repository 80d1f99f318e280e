import { createDocumentClient } from '../shared/aws/dynamo-client';
import { type ReindexCompletionResult, completeReindex } from '../shared/operation-outcome';
import { parsePipelineEvent, stepEventSchema } from '../shared/pipeline-events';
import { storageConfig } from '../shared/pipeline-config';

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
