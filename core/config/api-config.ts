import {
  DEFAULT_EMBEDDING_CONFIG,
  type EmbeddingConfig,
  embeddingConfigFor,
  parseEmbeddingConfig,
} from '../datasets/embedding-config';
import { parseAllowedOrigins } from './allowed-origins';
import { commaList } from './wildcard-pattern';

/**
 * The API handlers' settings, one getter per environment variable. Each is read (and checked) on first use and then
 * kept for the life of the container; a required variable that is missing throws there, naming it. Functions only get
 * the variables of the resources they are granted (lib/api/api.ts), so nothing is read before a handler needs it.
 *
 * | variable | getter | default |
 * | --- | --- | --- |
 * | `TABLE_NAME` | tableName | required |
 * | `BUCKET_NAME` | bucketName | required by upload routes |
 * | `ADD_MEDIA_STATE_MACHINE_ARN` / `REINDEX_STATE_MACHINE_ARN` | …StateMachineArn | required by their routes |
 * | `ADD_MEDIA_ENABLED` | addMediaEnabled | true (`true`/`false`/`1`/`0`) |
 * | `ALLOWED_ASSUME_ROLE_ARNS` | allowedAssumeRoleArns | none: `assume_role` is refused |
 * | `ASSUME_ROLE_EXTERNAL_ID` | assumeRoleExternalId | none |
 * | `DEFAULT_EMBEDDING_CONFIG` | defaultEmbeddingConfig (JSON) | DEFAULT_EMBEDDING_CONFIG |
 * | `SIMILARITY_THRESHOLD` | defaultEmbeddingConfig.similarity_threshold (the deployment's override) | the config's |
 * | `MAX_UPLOAD_BYTES` | maxUploadBytes | LAMBDA_MAX_UPLOAD_BYTES |
 * | `ALLOWED_ORIGINS` | allowedOrigins | none |
 * | `SOURCE_BUCKET_NAMES` | sourceBucketNames (names or `*` patterns) | none: S3 sources need `assume_role` |
 * | `LOCAL_PATHS_ALLOWED` | localPathsAllowed | false |
 */
export interface ApiConfig {
  readonly tableName: string;
  readonly bucketName: string;
  readonly addMediaStateMachineArn: string;
  readonly reindexStateMachineArn: string;
  readonly addMediaEnabled: boolean;
  readonly allowedAssumeRoleArns: readonly string[];
  readonly assumeRoleExternalId: string | undefined;
  readonly defaultEmbeddingConfig: EmbeddingConfig;
  readonly maxUploadBytes: number;
  readonly allowedOrigins: readonly string[];
  readonly sourceBucketNames: readonly string[];
  readonly localPathsAllowed: boolean;
}

/**
 * A direct upload reaches the handler base64-encoded inside the Lambda event, and a synchronous invocation carries at
 * most 6 MB; keeping 64 KiB for headers and the rest of the event, about 4.45 MiB of body fits.
 */
export const LAMBDA_MAX_UPLOAD_BYTES = Math.floor(((6 * 1024 * 1024 - 64 * 1024) * 3) / 4);

class ApiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiConfigError';
  }
}

type Getters<T> = { readonly [K in keyof T]: () => T[K] };

export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return memoizedGetters<ApiConfig>({
    tableName: () => required(env, 'TABLE_NAME'),
    bucketName: () => required(env, 'BUCKET_NAME'),
    addMediaStateMachineArn: () => required(env, 'ADD_MEDIA_STATE_MACHINE_ARN'),
    reindexStateMachineArn: () => required(env, 'REINDEX_STATE_MACHINE_ARN'),
    addMediaEnabled: () => flag(env, 'ADD_MEDIA_ENABLED', true),
    allowedAssumeRoleArns: () => arnPatterns(env, 'ALLOWED_ASSUME_ROLE_ARNS'),
    assumeRoleExternalId: () => env.ASSUME_ROLE_EXTERNAL_ID?.trim() || undefined,
    defaultEmbeddingConfig: () =>
      embeddingConfigFor(
        env.DEFAULT_EMBEDDING_CONFIG?.trim()
          ? parseEmbeddingConfig(env.DEFAULT_EMBEDDING_CONFIG)
          : DEFAULT_EMBEDDING_CONFIG,
        similarityThreshold(env),
      ),
    maxUploadBytes: () => positiveInteger(env, 'MAX_UPLOAD_BYTES', LAMBDA_MAX_UPLOAD_BYTES),
    allowedOrigins: () => parseAllowedOrigins(env.ALLOWED_ORIGINS),
    sourceBucketNames: () => commaList(env.SOURCE_BUCKET_NAMES),
    localPathsAllowed: () => flag(env, 'LOCAL_PATHS_ALLOWED', false),
  });
}

/** SIMILARITY_THRESHOLD, the deployment's threshold for datasets it indexes from now on; unset: the encoder's. */
function similarityThreshold(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.SIMILARITY_THRESHOLD?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1)
    throw new ApiConfigError(`SIMILARITY_THRESHOLD must be a number above 0 and at most 1, got "${raw}"`);
  return value;
}

function memoizedGetters<T extends object>(getters: Getters<T>): T {
  const config = {} as T;
  for (const [name, read] of Object.entries(getters) as [string, () => unknown][]) {
    let cached: { value: unknown } | undefined;
    Object.defineProperty(config, name, {
      enumerable: true,
      get: () => (cached ??= { value: read() }).value,
    });
  }
  return config;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ApiConfigError(`Environment variable ${name} is required`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (!value) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ApiConfigError(`Environment variable ${name} must be true or false (got '${env[name]}')`);
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name]?.trim();
  if (!value) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new ApiConfigError(`Environment variable ${name} must be a positive integer (got '${value}')`);
  }
  return Number(value);
}

function arnPatterns(env: NodeJS.ProcessEnv, name: string): string[] {
  const entries = commaList(env[name]);
  const bad = entries.filter((entry) => !entry.startsWith('arn:'));
  if (bad.length > 0)
    throw new ApiConfigError(`${name} must list role ARNs or ARN patterns; not ARNs: ${bad.join(', ')}`);
  return entries;
}
