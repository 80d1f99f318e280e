import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient } from '../../core/aws/dynamo-client';
import { createS3Client } from '../../core/aws/s3-client';
import { storageConfig } from '../../core/config/pipeline-config';
import { readAssignResult, readDiscovery } from '../../core/pipeline/batch-artifacts';
import { type BatchCommitResult, commitBatch } from '../../core/pipeline/operation-commit';
import { operationEventSink } from '../../core/pipeline/operation-event-sinks';
import { parsePipelineEvent, stepEventSchema } from '../../core/pipeline/pipeline-events';

const config = storageConfig();
const dynamo = createDocumentClient();
const s3 = createS3Client();
const events = operationEventSink(config.operationEventBus, new Logger({ serviceName: 'finalize' }));

/**
 * Step 5 of add-media: commits the batch (counts from assign.json, skipped from discovery + assign), fenced; without
 * auto_reindex that ends the operation, published as an `Operation Succeeded` event.
 */
export const handler = async (event: unknown): Promise<BatchCommitResult> => {
  const { input } = parsePipelineEvent(stepEventSchema, event, 'finalize input');
  const batch = { s3, bucket: config.bucketName, datasetId: input.dataset_id, batchId: input.operation_id };
  const [discovery, assigned] = await Promise.all([readDiscovery(batch), readAssignResult(batch)]);
  return await commitBatch(
    { client: dynamo, tableName: config.tableName, events },
    {
      datasetId: input.dataset_id,
      operationId: input.operation_id,
      added: { n_images: assigned.n_images, n_videos: assigned.n_videos },
      skipped: {
        count: discovery.n_skipped + assigned.n_skipped,
        duplicates: assigned.n_duplicates,
        items: [...discovery.skipped, ...assigned.skipped],
      },
      autoReindex: input.auto_reindex ?? false,
      now: new Date(),
    },
  );
};
