import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { SETTING, SettingsReader } from '../core/config/settings';
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
 * | `LOCAL_MEDIA_ROOTS` | unset | comma-separated absolute folders the `path` routes may read (symlinks resolved); unset: `path` refused |
 * | `MAX_REQUESTS_PER_USER` | `1` | requests of one user served at once; more wait their turn (200 waiting: 429) |
 * | `MAX_WORKER_PROCESSES` | max(2, CPUs) | worker processes running at once, all operations together; more tasks wait their turn |
 * | `LOG_LEVEL` | `WARN` | log level of handlers and workers |
 * | `AUTH_MODE` | `jwt` | `none`: no credentials asked, every request acts as the local user (loopback HOST only) |
 * | `MIN_FREE_DISK_MB` | `1024` | free space DATA_DIR must have for the service to start |
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
  readonly localMediaRoots: readonly string[];
  readonly maxWorkerProcesses: number;
  readonly maxRequestsPerUser: number;
  readonly logLevel: string;
  /** `jwt`: every request proves its identity (AUTH_* settings); `none`: single-user workstation mode. */
  readonly authMode: 'jwt' | 'none';
  readonly minFreeBytes: number;
  /** The encoder to embed with; undefined: the default encoder. */
  readonly model?: { readonly uri: string; readonly sha256: string; readonly embeddingConfig: EmbeddingConfig };
  /** Replaces the encoder's calibrated similarity_threshold; undefined: keep it. */
  readonly similarityThreshold?: number;
}

/** What `npm start` refuses to start with (core/config/settings.ts rules: one message per bad value, all at once). */
export { SettingsError as LocalConfigError } from '../core/config/settings';

const ABSOLUTE_FOLDERS = SETTING.listOf('a comma-separated list of absolute folders', isAbsolute);
const AUTH_MODES = SETTING.oneOf(['jwt', 'none']);

export function readLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const read = new SettingsReader(env);
  const problems: string[] = [];
  const config: LocalConfig = {
    dataDir: resolve(read.value('DATA_DIR', SETTING.text, '.data')),
    host: read.value('HOST', SETTING.text, '127.0.0.1'),
    port: read.value('PORT', SETTING.port, 2080),
    s3Port: read.value('S3_PORT', SETTING.port, 4569),
    tableName: read.value('TABLE_NAME', SETTING.text, 'add-media'),
    bucketName: read.value('BUCKET_NAME', SETTING.text, 'add-media-local'),
    region: read.value('AWS_REGION', SETTING.text, 'us-east-1'),
    maxConcurrency: read.value('MAX_CONCURRENCY', SETTING.positiveInteger, Math.min(2, availableParallelism())),
    maxShards: read.value('MAX_SHARDS', SETTING.positiveInteger, 8),
    defaultUseSpot: read.value('DEFAULT_USE_SPOT', SETTING.boolean, false),
    sourceBucketNames: read.value('SOURCE_BUCKET_NAMES', SETTING.text, '*'),
    localMediaRoots: read.value('LOCAL_MEDIA_ROOTS', ABSOLUTE_FOLDERS, []).map((folder) => resolve(folder)),
    maxWorkerProcesses: read.value(
      'MAX_WORKER_PROCESSES',
      SETTING.positiveInteger,
      Math.max(2, availableParallelism()),
    ),
    maxRequestsPerUser: read.value('MAX_REQUESTS_PER_USER', SETTING.positiveInteger, 1),
    logLevel: read.value('LOG_LEVEL', SETTING.text, 'WARN'),
    authMode: read.value('AUTH_MODE', AUTH_MODES, 'jwt'),
    minFreeBytes: read.value('MIN_FREE_DISK_MB', SETTING.positiveInteger, 1024) * 1024 * 1024,
    similarityThreshold: read.optional('SIMILARITY_THRESHOLD', SETTING.fraction),
    ...readModel(env, problems),
  };
  for (const problem of problems) read.problem(problem);
  read.done('Invalid settings');
  return config;
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
