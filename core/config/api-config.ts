import {
  DEFAULT_EMBEDDING_CONFIG,
  type EmbeddingConfig,
  embeddingConfigFor,
  parseEmbeddingConfig,
} from '../datasets/embedding-config';
import { parseAllowedOrigins } from './allowed-origins';
import { readOptionalSetting, readSetting, SETTING, type SettingRule } from './settings';

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
 * | `LOCAL_MEDIA_ROOTS` | localMediaRoots (comma-separated absolute folders local paths must fall under) | none: `path` refused |
 * | `MAX_DATASETS_PER_USER` | maxDatasetsPerUser | 1000 |
 * | `MAX_ACTIVE_OPERATIONS_PER_USER` | maxActiveOperationsPerUser (operations running at once on one owner's datasets) | 4 |
 * | `SERVICE_PATHS` | servicePaths (the service's own folders, never a source; set by the local runtime) | none |
 * | `MEDIA_LINKS` | mediaLinks: `presigned` S3 GETs, or `local` (served by the local service) | presigned |
 * | `MEDIA_URL_EXPIRY_SECONDS` | mediaUrlExpirySeconds (presigned links) | 900 |
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
  readonly localMediaRoots: readonly string[];
  readonly servicePaths: readonly string[];
  readonly maxDatasetsPerUser: number;
  readonly maxActiveOperationsPerUser: number;
  readonly mediaLinks: 'presigned' | 'local';
  readonly mediaUrlExpirySeconds: number;
}

/**
 * A direct upload reaches the handler base64-encoded inside the Lambda event, and a synchronous invocation carries at
 * most 6 MB; keeping 64 KiB for headers and the rest of the event, about 4.45 MiB of body fits.
 */
export const LAMBDA_MAX_UPLOAD_BYTES = Math.floor(((6 * 1024 * 1024 - 64 * 1024) * 3) / 4);

type Getters<T> = { readonly [K in keyof T]: () => T[K] };

const ABSOLUTE_PATHS = SETTING.listOf('a comma-separated list of absolute paths', (entry) => entry.startsWith('/'));
const ROLE_ARN_PATTERNS = SETTING.listOf('a comma-separated list of role ARNs or ARN patterns (arn:…)', (entry) =>
  entry.startsWith('arn:'),
);

export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const read = <T>(name: string, rule: SettingRule<T>, fallback?: T) => readSetting(env, name, rule, fallback);
  return memoizedGetters<ApiConfig>({
    tableName: () => read('TABLE_NAME', SETTING.text),
    bucketName: () => read('BUCKET_NAME', SETTING.text),
    addMediaStateMachineArn: () => read('ADD_MEDIA_STATE_MACHINE_ARN', SETTING.text),
    reindexStateMachineArn: () => read('REINDEX_STATE_MACHINE_ARN', SETTING.text),
    addMediaEnabled: () => read('ADD_MEDIA_ENABLED', SETTING.boolean, true),
    allowedAssumeRoleArns: () => read('ALLOWED_ASSUME_ROLE_ARNS', ROLE_ARN_PATTERNS, []),
    assumeRoleExternalId: () => readOptionalSetting(env, 'ASSUME_ROLE_EXTERNAL_ID', SETTING.text),
    defaultEmbeddingConfig: () => {
      const json = readOptionalSetting(env, 'DEFAULT_EMBEDDING_CONFIG', SETTING.text);
      return embeddingConfigFor(
        json ? parseEmbeddingConfig(json) : DEFAULT_EMBEDDING_CONFIG,
        readOptionalSetting(env, 'SIMILARITY_THRESHOLD', SETTING.fraction),
      );
    },
    maxUploadBytes: () => read('MAX_UPLOAD_BYTES', SETTING.positiveInteger, LAMBDA_MAX_UPLOAD_BYTES),
    allowedOrigins: () => parseAllowedOrigins(env.ALLOWED_ORIGINS),
    sourceBucketNames: () => read('SOURCE_BUCKET_NAMES', SETTING.list, []),
    localPathsAllowed: () => read('LOCAL_PATHS_ALLOWED', SETTING.boolean, false),
    localMediaRoots: () => read('LOCAL_MEDIA_ROOTS', ABSOLUTE_PATHS, []),
    servicePaths: () => read('SERVICE_PATHS', ABSOLUTE_PATHS, []),
    maxDatasetsPerUser: () => read('MAX_DATASETS_PER_USER', SETTING.positiveInteger, 1000),
    maxActiveOperationsPerUser: () => read('MAX_ACTIVE_OPERATIONS_PER_USER', SETTING.positiveInteger, 4),
    mediaLinks: () => read('MEDIA_LINKS', SETTING.oneOf(['presigned', 'local']), 'presigned'),
    mediaUrlExpirySeconds: () => read('MEDIA_URL_EXPIRY_SECONDS', SETTING.positiveInteger, 900),
  });
}

/** SIMILARITY_THRESHOLD, the deployment's threshold for datasets it indexes from now on; unset: the encoder's. */
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
