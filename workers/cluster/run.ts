import { type EnvSource, requireEnv } from '../runtime/env';
import { knnKEnv } from './cluster-env';
import { clusteringWorkerContext } from './clustering-worker-context';
import { runFullClustering } from './full-clustering';

/** TASK=cluster: full clustering under NEW_CLUSTERING_ID (docs/pipeline.md, reindex step 1). */
export async function run(env: EnvSource = process.env): Promise<void> {
  const { worker, logger, job } = clusteringWorkerContext(env, 'cluster');
  const summary = await runFullClustering({
    ...job,
    operationId: worker.operationId,
    newClusteringId: requireEnv(env, 'NEW_CLUSTERING_ID'),
    k: knnKEnv(env),
  });
  logger.info('cluster done', { ...summary, batches: summary.batches.length });
}
