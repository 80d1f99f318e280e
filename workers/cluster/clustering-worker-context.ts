import type { Logger } from '@aws-lambda-powertools/logger';
import { parseEmbeddingConfig } from '../../core/datasets/embedding-config';
import { type ExecutionProviderPreference, parseExecutionProvider } from '../model/inference-session';
import { createDocumentClient, createS3Client } from '../runtime/clients';
import { type EnvSource, optionalEnv, readWorkerEnv, requireEnv, type WorkerEnv } from '../runtime/env';
import { createWorkerLogger } from '../runtime/logger';
import { thresholdEnv } from './cluster-env';

/** What the assign and cluster workers read alike from their environment (docs/pipeline.md, steps 4 and reindex 1). */
export interface ClusteringWorkerContext {
  readonly worker: WorkerEnv;
  readonly logger: Logger;
  readonly job: {
    readonly s3: ReturnType<typeof createS3Client>;
    readonly bucket: string;
    readonly client: ReturnType<typeof createDocumentClient>;
    readonly tableName: string;
    readonly datasetId: string;
    /**
     * The threshold of a dataset whose stored embedding_config has none (indexed before thresholds were stored):
     * EMBEDDING_CONFIG's similarity_threshold, else SIMILARITY_THRESHOLD. datasetThreshold() prefers the stored one.
     */
    readonly threshold: number;
    /** EMBEDDING_CONFIG's phash_distance, for a dataset whose stored embedding_config has none (datasetHashDistance). */
    readonly hashDistance: number | undefined;
    /** EMBEDDING_CONFIG's pixel_agreement, for a dataset whose stored embedding_config has none (datasetPixelAgreement). */
    readonly pixelAgreement: number | undefined;
    /** EMBEDDING_CONFIG's dimension: used only when the dataset has no embedding_config yet (its first indexing). */
    readonly dimension: number | undefined;
    readonly executionProvider: ExecutionProviderPreference;
    readonly log: (message: string) => void;
  };
}

export function clusteringWorkerContext(env: EnvSource, task: string): ClusteringWorkerContext {
  const worker = readWorkerEnv(env);
  const logger = createWorkerLogger(task, worker);
  const raw = optionalEnv(env, 'EMBEDDING_CONFIG');
  const config = raw ? parseEmbeddingConfig(raw) : undefined;
  return {
    worker,
    logger,
    job: {
      s3: createS3Client(env),
      bucket: worker.bucketName,
      client: createDocumentClient(env),
      tableName: requireEnv(env, 'TABLE_NAME'),
      datasetId: worker.datasetId,
      threshold: config?.similarity_threshold ?? thresholdEnv(env),
      hashDistance: config?.phash_distance,
      pixelAgreement: config?.pixel_agreement,
      dimension: config?.dimension,
      executionProvider: parseExecutionProvider(optionalEnv(env, 'EXECUTION_PROVIDER')),
      log: (message) => logger.info(message),
    },
  };
}
