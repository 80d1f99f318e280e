import { Logger } from '@aws-lambda-powertools/logger';
import { parseEmbeddingConfig } from '../../lambdas/shared/embedding-config';
import { parseExecutionProvider } from '../model/inference-session';
import { createDocumentClient, createS3Client } from '../runtime/clients';
import { type EnvSource, optionalEnv, readWorkerEnv, requireEnv } from '../runtime/env';
import { knnKEnv, thresholdEnv } from './cluster-env';
import { runFullClustering } from './full-clustering';

/** TASK=cluster: full clustering under NEW_CLUSTERING_ID (docs/pipeline.md, reindex step 1). */
export async function run(env: EnvSource = process.env): Promise<void> {
  const worker = readWorkerEnv(env);
  const logger = new Logger({ serviceName: 'cluster', logLevel: worker.logLevel as 'INFO' });
  const config = optionalEnv(env, 'EMBEDDING_CONFIG');
  const summary = await runFullClustering({
    s3: createS3Client(env),
    bucket: worker.bucketName,
    client: createDocumentClient(env),
    tableName: requireEnv(env, 'TABLE_NAME'),
    datasetId: worker.datasetId,
    operationId: worker.operationId,
    newClusteringId: requireEnv(env, 'NEW_CLUSTERING_ID'),
    threshold: thresholdEnv(env),
    k: knnKEnv(env),
    dimension: config ? parseEmbeddingConfig(config).dimension : undefined,
    executionProvider: parseExecutionProvider(optionalEnv(env, 'EXECUTION_PROVIDER')),
    log: (message) => logger.info(message),
  });
  logger.info('cluster done', { ...summary, batches: summary.batches.length });
}
