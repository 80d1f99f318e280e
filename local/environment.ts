import { join } from 'node:path';
import { LAMBDA_MAX_UPLOAD_BYTES } from '../core/config/api-config';
import type { EmbeddingConfig } from '../core/datasets/embedding-config';
import type { LocalConfig } from './config';
import { isLoopbackHost } from './preflight/loopback';
import { LOCAL_AUTH_DEFAULTS } from './token';
import { LOCAL_CAPACITY, type LocalPipelineArns } from './workflows/local-pipeline';

export interface StorageEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
}

export interface LocalEndpoints extends StorageEndpoints {
  readonly sfn: string;
}

export interface LocalModel {
  readonly uri: string;
  readonly sha256: string;
  /** Where workers keep models they download (unused for file:// models). */
  readonly cacheDir: string;
  /** The embedding config of datasets created here (DEFAULT_EMBEDDING_CONFIG), pinned to the model's bytes. */
  readonly embeddingConfig: EmbeddingConfig;
}

/**
 * Credentials of the embedded servers, also what to give an S3 client of your own: s3rver knows only its default
 * account (S3RVER) and refuses other access keys; dynalite checks none.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const KEY_SOURCES = ['AUTH_JWKS_URL', 'AUTH_JWT_SECRET', 'AUTH_JWT_SECRET_ARN'];

/** The service's installation (code, dependencies): never a media source, like DATA_DIR. */
const INSTALLATION = join(import.meta.dirname, '..');

/** Where local paths may point (core/media/local-path-rule.ts): the roots, and the service's own folders that never do. */
function localPathSettings(config: LocalConfig): Record<string, string> {
  return {
    LOCAL_PATHS_ALLOWED: 'true',
    LOCAL_MEDIA_ROOTS: config.localMediaRoots.join(','),
    SERVICE_PATHS: [config.dataDir, INSTALLATION].join(','),
  };
}

/**
 * The origins of the service's own pages (the gallery at `/`), so that its cookie-authenticated POSTs pass the CSRF
 * rule: every loopback name when it listens on loopback or on every interface, else the host it was given. PORT=0 (any
 * free port) has no origin known in advance; the gallery's origin then goes into ALLOWED_ORIGINS by hand.
 */
function serviceOrigins(config: Pick<LocalConfig, 'host' | 'port'>): string[] {
  if (config.port === 0) return [];
  const hosts =
    config.host === '0.0.0.0' || isLoopbackHost(config.host)
      ? ['127.0.0.1', 'localhost', '[::1]']
      : [config.host.includes(':') ? `[${config.host}]` : config.host];
  return hosts.map((host) => `http://${host}:${config.port}`);
}

/**
 * The environment the handlers (API and pipeline Lambdas, all in this process) get, as the CDK would set it: SDK
 * endpoints of the embedded services, resource names, feature settings. Settings a user may tune (ADD_MEDIA_ENABLED,
 * MAX_UPLOAD_BYTES, AUTH_*…) keep the value they already have in `env`; ALLOWED_ORIGINS gets the service's own added.
 */
export function handlerEnvironment(
  config: LocalConfig,
  endpoints: LocalEndpoints,
  model: LocalModel,
  arns: LocalPipelineArns,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const hasKeySource = KEY_SOURCES.some((name) => env[name]?.trim());
  return {
    ...sdkEnvironment(config, endpoints),
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    TABLE_NAME: config.tableName,
    BUCKET_NAME: config.bucketName,
    ADD_MEDIA_STATE_MACHINE_ARN: arns.addMedia,
    REINDEX_STATE_MACHINE_ARN: arns.reindex,
    ADD_MEDIA_ENABLED: env.ADD_MEDIA_ENABLED ?? 'true',
    ALLOWED_ASSUME_ROLE_ARNS: env.ALLOWED_ASSUME_ROLE_ARNS ?? '',
    ALLOWED_ORIGINS: [env.ALLOWED_ORIGINS ?? '', ...serviceOrigins(config)].filter(Boolean).join(','),
    AUTH_COOKIE_NAME: env.AUTH_COOKIE_NAME ?? 'session',
    MAX_UPLOAD_BYTES: env.MAX_UPLOAD_BYTES ?? String(LAMBDA_MAX_UPLOAD_BYTES),
    DEFAULT_EMBEDDING_CONFIG: JSON.stringify(model.embeddingConfig),
    SOURCE_BUCKET_NAMES: config.sourceBucketNames,
    ...localPathSettings(config),
    // Thumbnails and media are served by the local service itself, behind the API's authentication.
    MEDIA_LINKS: 'local',
    ...(hasKeySource ? {} : { AUTH_JWT_SECRET: LOCAL_AUTH_DEFAULTS.secret }),
    AUTH_ISSUER: env.AUTH_ISSUER ?? LOCAL_AUTH_DEFAULTS.issuer,
    AUTH_AUDIENCE: env.AUTH_AUDIENCE ?? LOCAL_AUTH_DEFAULTS.audience,
    GPU_SPOT_CAPACITY_PROVIDER: LOCAL_CAPACITY.gpuSpot,
    GPU_ON_DEMAND_CAPACITY_PROVIDER: LOCAL_CAPACITY.gpuOnDemand,
    GPU_TASK_DEFINITION_ARN: LOCAL_CAPACITY.gpuTaskDefinition,
    CPU_TASK_DEFINITION_ARN: LOCAL_CAPACITY.cpuTaskDefinition,
    SUBNET_IDS: LOCAL_CAPACITY.subnets,
    SECURITY_GROUP_IDS: LOCAL_CAPACITY.securityGroups,
    DEFAULT_USE_SPOT: String(config.defaultUseSpot),
    MAX_SHARDS: String(config.maxShards),
    MAX_CONCURRENCY: String(config.maxConcurrency),
    POWERTOOLS_LOG_LEVEL: config.logLevel,
  };
}

/**
 * What the task definition gives every worker container, locally: the same names as in the cloud plus the embedded
 * endpoints, the model and the process basics (PATH for ffmpeg). Nothing else of this process's environment leaks in.
 */
export function workerBaseEnvironment(
  config: LocalConfig,
  endpoints: StorageEndpoints,
  model: LocalModel,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const basics = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR', 'LANG'].filter((name) => env[name]).map((name) => [name, env[name]!]),
  );
  return {
    ...basics,
    ...sdkEnvironment(config, endpoints),
    TABLE_NAME: config.tableName,
    BUCKET_NAME: config.bucketName,
    MODEL_URI: model.uri,
    MODEL_SHA256: model.sha256,
    MODEL_CACHE_DIR: model.cacheDir,
    SOURCE_BUCKET_NAMES: config.sourceBucketNames,
    ...localPathSettings(config),
    LOG_LEVEL: config.logLevel,
    // For datasets whose stored embedding config has no threshold; the others keep theirs.
    ...(config.similarityThreshold === undefined ? {} : { SIMILARITY_THRESHOLD: String(config.similarityThreshold) }),
    // The service already printed the SDK's "future releases need Node 22" notice once; not again for every task.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function sdkEnvironment(config: LocalConfig, endpoints: StorageEndpoints): Record<string, string> {
  return {
    AWS_REGION: config.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    S3_FORCE_PATH_STYLE: 'true',
  };
}
