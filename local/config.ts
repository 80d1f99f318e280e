import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { type EmbeddingConfig, parseEmbeddingConfig } from '../core/datasets/embedding-config';

/**
 * Settings of `npm start`, from the environment:
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `DATA_DIR` | `./.data` | everything the service keeps: DynamoDB (LevelDB), S3 objects, the model |
 * | `HOST` | `127.0.0.1` | interface the API listens on (`0.0.0.0` in a container) |
 * | `PORT` | `2080` | API port |
 * | `S3_PORT` | `4569` | embedded S3 port (`0`: any free port) |
 * | `TABLE_NAME` / `BUCKET_NAME` | `add-media` / `add-media-local` | names of the local table and bucket |
 * | `MAX_CONCURRENCY` | min(2, CPUs) | embedding workers running at once per operation |
 * | `MAX_SHARDS` | `8` | upper bound on embedding shards per operation |
 * | `DEFAULT_USE_SPOT` | `false` | capacity a request without `use_spot` is planned on (logged only, locally) |
 * | `SOURCE_BUCKET_NAMES` | `*` | buckets of the embedded S3 that `s3_uri` may name |
 * | `LOG_LEVEL` | `WARN` | log level of handlers and workers |
 * | `MODEL_URI`, `MODEL_SHA256`, `DEFAULT_EMBEDDING_CONFIG` | unset | an image encoder of your own (file:// or absolute path), its sha256 and its embedding config (JSON), all three together; unset: the default encoder is converted from the nsfwjs package's MobileNetV2 weights under DATA_DIR |
 * | `SIMILARITY_THRESHOLD` | the encoder's | cosine similarity from which media are near-duplicates, for datasets indexed from now on (a dataset keeps the one it was first indexed with) |
 */
export interface LocalConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly s3Port: number;
  readonly tableName: string;
  readonly bucketName: string;
  readonly region: string;
  readonly maxConcurrency: number;
  readonly maxShards: number;
  readonly defaultUseSpot: boolean;
  readonly sourceBucketNames: string;
  readonly logLevel: string;
  /** The encoder to embed with; undefined: the default encoder. */
  readonly model?: { readonly uri: string; readonly sha256: string; readonly embeddingConfig: EmbeddingConfig };
  /** Replaces the encoder's calibrated similarity_threshold; undefined: keep it. */
  readonly similarityThreshold?: number;
}

export class LocalConfigError extends Error {
  override readonly name = 'LocalConfigError';
}

export function readLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const problems: string[] = [];
  const port = (name: string, fallback: number) => {
    const value = env[name]?.trim() || String(fallback);
    const number = Number(value);
    if (!/^\d+$/.test(value) || number > 65535)
      problems.push(`${name} must be a port number (0-65535), got "${value}"`);
    return number;
  };
  const positive = (name: string, fallback: number) => {
    const value = env[name]?.trim() || String(fallback);
    if (!/^\d+$/.test(value) || Number(value) < 1) problems.push(`${name} must be a positive integer, got "${value}"`);
    return Number(value);
  };
  const bool = (name: string, fallback: boolean) => {
    const value = env[name]?.trim().toLowerCase() || String(fallback);
    if (value !== 'true' && value !== 'false') problems.push(`${name} must be true or false, got "${value}"`);
    return value === 'true';
  };
  const config: LocalConfig = {
    dataDir: resolve(env.DATA_DIR?.trim() || '.data'),
    host: env.HOST?.trim() || '127.0.0.1',
    port: port('PORT', 2080),
    s3Port: port('S3_PORT', 4569),
    tableName: env.TABLE_NAME?.trim() || 'add-media',
    bucketName: env.BUCKET_NAME?.trim() || 'add-media-local',
    region: env.AWS_REGION?.trim() || 'us-east-1',
    maxConcurrency: positive('MAX_CONCURRENCY', Math.min(2, availableParallelism())),
    maxShards: positive('MAX_SHARDS', 8),
    defaultUseSpot: bool('DEFAULT_USE_SPOT', false),
    sourceBucketNames: env.SOURCE_BUCKET_NAMES?.trim() || '*',
    logLevel: env.LOG_LEVEL?.trim() || 'WARN',
    ...readModel(env, problems),
    ...readThreshold(env, problems),
  };
  if (problems.length > 0) throw new LocalConfigError(`Invalid settings: ${problems.join('; ')}`);
  return config;
}

function readThreshold(env: NodeJS.ProcessEnv, problems: string[]): Pick<LocalConfig, 'similarityThreshold'> {
  const value = env.SIMILARITY_THRESHOLD?.trim();
  if (!value) return {};
  const threshold = Number(value);
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1) {
    problems.push(`SIMILARITY_THRESHOLD must be a number above 0 and at most 1, got "${value}"`);
    return {};
  }
  return { similarityThreshold: threshold };
}

function readModel(env: NodeJS.ProcessEnv, problems: string[]): Pick<LocalConfig, 'model'> {
  const names = ['MODEL_URI', 'MODEL_SHA256', 'DEFAULT_EMBEDDING_CONFIG'] as const;
  const given = names.filter((name) => env[name]?.trim());
  if (given.length === 0) return {};
  if (given.length < names.length) {
    problems.push(
      `MODEL_URI, MODEL_SHA256 and DEFAULT_EMBEDDING_CONFIG go together (missing: ${names.filter((name) => !given.includes(name)).join(', ')})`,
    );
    return {};
  }
  const uri = env.MODEL_URI!.trim();
  const path = uri.startsWith('file://') ? uri.slice('file://'.length) : uri;
  if (!isAbsolute(path)) problems.push(`MODEL_URI must be file:///… or an absolute path, got "${uri}"`);
  const sha256 = env.MODEL_SHA256!.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) problems.push('MODEL_SHA256 must be 64 hex digits');
  try {
    const embeddingConfig = parseEmbeddingConfig(env.DEFAULT_EMBEDDING_CONFIG!);
    return { model: { uri: `file://${path}`, sha256, embeddingConfig: { ...embeddingConfig, model_sha256: sha256 } } };
  } catch (error) {
    problems.push(`DEFAULT_EMBEDDING_CONFIG: ${(error as Error).message}`);
    return {};
  }
}
