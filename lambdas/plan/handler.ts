import { createDocumentClient } from '../../core/aws/dynamo-client';
import { createS3Client } from '../../core/aws/s3-client';
import { planConfig } from '../../core/config/pipeline-config';
import { readDiscovery, writeBatchArtifact } from '../../core/pipeline/batch-artifacts';
import { recordPlan } from '../../core/pipeline/operation-commit';
import { executionInputSchema, parsePipelineEvent } from '../../core/pipeline/pipeline-events';
import { type Plan, planCompute } from '../../core/pipeline/planner';

const config = planConfig();
const dynamo = createDocumentClient();
const s3 = createS3Client();

/** Step 2 of add-media (docs/pipeline.md): discovery.json → planner → plan.json, shards_total and progress 5 (fenced). */
export const handler = async (event: unknown): Promise<Plan> => {
  const input = parsePipelineEvent(executionInputSchema, event, 'plan input');
  const batch = { s3, bucket: config.bucketName, datasetId: input.dataset_id, batchId: input.operation_id };
  const discovery = await readDiscovery(batch);
  const plan = planCompute({
    counted: discovery,
    overrides: input.overrides,
    useSpot: input.use_spot,
    deployment: config.deployment,
  });
  // Fenced write first: a superseded operation leaves nothing behind, not even plan.json.
  await recordPlan(
    { client: dynamo, tableName: config.tableName },
    { datasetId: input.dataset_id, operationId: input.operation_id, shardsTotal: plan.shards.length, now: new Date() },
  );
  await writeBatchArtifact(batch, 'plan.json', plan);
  return plan;
};
