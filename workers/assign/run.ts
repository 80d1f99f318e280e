import { clusteringWorkerContext } from '../cluster/clustering-worker-context';
import { type EnvSource, optionalEnv } from '../runtime/env';
import { runAssign } from './incremental-job';

/** TASK=assign: incremental clustering of the batch (docs/pipeline.md step 4). */
export async function run(env: EnvSource = process.env): Promise<void> {
  const { worker, logger, job } = clusteringWorkerContext(env, 'assign');
  const summary = await runAssign({
    ...job,
    batchId: worker.operationId,
    clusteringId: optionalEnv(env, 'CLUSTERING_ID'),
    k: 10,
  });
  logger.info('assign done', { ...summary, skipped: undefined });
}
