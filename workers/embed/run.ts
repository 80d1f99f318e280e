import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEmbeddingConfig } from '../../core/datasets/embedding-config';
import { parseExecutionProvider } from '../model/inference-session';
import { createDocumentClient, createS3Client } from '../runtime/clients';
import { boolEnv, type EnvSource, intEnv, jsonEnv, optionalEnv, readWorkerEnv, requireEnv } from '../runtime/env';
import { createWorkerLogger } from '../runtime/logger';
import { createSourceS3Client } from '../runtime/source-credentials';
import { runEmbedShard } from './embed-shard-job';

/** TASK=embed: one shard of the Embed map (docs/pipeline.md step 3); `signal` is aborted on SIGTERM. */
export async function run(env: EnvSource = process.env, signal?: AbortSignal): Promise<void> {
  const worker = readWorkerEnv(env);
  const logger = createWorkerLogger('embed', worker);
  const provider = parseExecutionProvider(optionalEnv(env, 'EXECUTION_PROVIDER'));
  await runEmbedShard({
    s3: createS3Client(env),
    bucket: worker.bucketName,
    sourceS3: createSourceS3Client(env),
    localPathsAllowed: boolEnv(env, 'LOCAL_PATHS_ALLOWED', false),
    client: createDocumentClient(env),
    tableName: requireEnv(env, 'TABLE_NAME'),
    datasetId: worker.datasetId,
    operationId: worker.operationId,
    shardIndex: requiredInt(env, 'SHARD_INDEX', { min: 0, max: 99_999 }),
    partStart: requiredInt(env, 'PART_START', { min: 0, max: 99_999 }),
    partEnd: requiredInt(env, 'PART_END', { min: 1, max: 100_000 }),
    config: parseEmbeddingConfig(jsonEnv(env, 'EMBEDDING_CONFIG')),
    model: {
      uri: requireEnv(env, 'MODEL_URI'),
      sha256: optionalEnv(env, 'MODEL_SHA256'),
      cacheDir: optionalEnv(env, 'MODEL_CACHE_DIR') ?? join(tmpdir(), 'model-cache'),
    },
    executionProvider: provider,
    // A GPU takes bigger batches well; on CPU small batches keep the decode/infer overlap fine-grained.
    batchSize: intEnv(env, 'EMBED_BATCH_SIZE', provider === 'cpu' ? 16 : 64, { min: 1, max: 1024 }),
    prefetch: intEnv(env, 'EMBED_PREFETCH', 2, { min: 1, max: 16 }),
    decodeConcurrency: intEnv(env, 'DECODE_CONCURRENCY', Math.max(2, availableParallelism()), { min: 1, max: 256 }),
    checkpointEvery: intEnv(env, 'EMBED_CHECKPOINT_EVERY', 1000, { min: 1, max: 1_000_000 }),
    ...(signal ? { signal } : {}),
    log: (message) => logger.info(message),
  });
}

function requiredInt(env: EnvSource, name: string, range: { min: number; max: number }): number {
  requireEnv(env, name);
  return intEnv(env, name, range.min, range);
}
