import { Logger } from '@aws-lambda-powertools/logger';
import { parseEmbeddingConfig } from '../../lambdas/shared/embedding-config';
import { parseExecutionProvider } from '../model/inference-session';
import { createDocumentClient, createS3Client } from '../runtime/clients';
import { type EnvSource, optionalEnv, readWorkerEnv, requireEnv } from '../runtime/env';
import { thresholdEnv } from '../cluster/cluster-env';
import { runAssign } from './incremental-job';

/** TASK=assign: incremental clustering of the batch (docs/pipeline.md step 4). */
export async function run(env: EnvSource = process.env): Promise<void> {
  const worker = readWorkerEnv(env);
  const logger = new Logger({ serviceName: 'assign', logLevel: worker.logLevel as 'INFO' });
  const config = optionalEnv(env, 'EMBEDDING_CONFIG');
  const summary = await runAssign({
    s3: createS3Client(env),
    bucket: worker.bucketName,
    client: createDocumentClient(env),
    tableName: requireEnv(env, 'TABLE_NAME'),
    datasetId: worker.datasetId,
    batchId: worker.operationId,
    clusteringId: optionalEnv(env, 'CLUSTERING_ID'),
    threshold: thresholdEnv(env),
    k: 10,
    dimension: config ? parseEmbeddingConfig(config).dimension : undefined,
    executionProvider: parseExecutionProvider(optionalEnv(env, 'EXECUTION_PROVIDER')),
    log: (message) => logger.info(message),
  });
  logger.info('assign done', { ...summary, skipped: undefined });
}
