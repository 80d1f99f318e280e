import type { InstanceRequirementsRequest } from '@awboost/cfn-resource-types/AWS-ECS-CapacityProvider';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { SETTING, SettingsReader } from '../core/config/settings';
import {
  DEFAULT_EMBEDDING_CONFIG,
  type EmbeddingConfig,
  embeddingConfigIssues,
  parseEmbeddingConfig,
} from '../core/datasets/embedding-config';
import { INLINE_MAP_MAX_CONCURRENCY } from '../core/pipeline/planner';

/**
 * Everything a deployment can tune, read from CDK context (cdk.json or `-c key=value`)
 * in one place. Every key is optional except the auth issuer/audience; the defaults
 * below are what `cdk deploy` uses when a key is absent.
 */
export interface DeploymentConfig {
  /** `addMediaEnabled` (default true): the add_media route answers 403 when false. */
  readonly addMediaEnabled: boolean;
  readonly auth: AuthConfig;
  /** `allowedOrigins` (default []): origins allowed to send cookie-authenticated mutating requests (CSRF allow-list). */
  readonly allowedOrigins: readonly string[];
  /** `allowedAssumeRoleArns` (default []: `assume_role` is refused): role ARNs or ARN patterns (`*` wildcards) the pipeline may assume. */
  readonly allowedAssumeRoleArns: readonly string[];
  /** `sourceBucketNames` (default []): buckets (names or `*` patterns) `s3_uri` sources may name without `assume_role`. */
  readonly sourceBucketNames: readonly string[];
  /** `assumeRoleExternalId` (optional): ExternalId passed to STS AssumeRole. */
  readonly assumeRoleExternalId?: string;
  /** `useSpotDefault` (default true): spot capacity when a request leaves `use_spot` out. */
  readonly useSpotDefault: boolean;
  /** `gpuInstance` (defaults in DEFAULT_GPU_INSTANCE): instance requirements of the GPU capacity providers. */
  readonly gpuInstance: GpuInstanceConfig;
  /** `maxShards` (default 200): upper bound on embedding shards per operation. */
  readonly maxShards: number;
  /** `maxConcurrency` (default 20, at most 40: the inline Map's own limit): embedding tasks running at once per operation. */
  readonly maxConcurrency: number;
  /**
   * `similarityThreshold` (default 0.9, for the CLIP encoder): cosine similarity from which two media are near-duplicates;
   * stored with each dataset at its first indexing (a dataset created with `similarity_threshold` keeps its own).
   */
  readonly similarityThreshold: number;
  /** `modelUri` (optional, s3:// or https://): image encoder to load instead of the one baked into the image. */
  readonly modelUri?: string;
  /**
   * `workerModelUrl` + `workerModelSha256` (both or neither): the ONNX image encoder baked into the worker image at build
   * time (Docker build args MODEL_URL / MODEL_SHA256). `cdk deploy` cannot build the image without them.
   */
  readonly workerModel?: { readonly url: string; readonly sha256: string };
  /** `defaultEmbeddingConfig` (optional): embedding config of datasets created by this deployment (core's schema). */
  readonly defaultEmbeddingConfig?: EmbeddingConfig;
  /** `alarmEmail` (optional): address subscribed to the operational alarms topic. */
  readonly alarmEmail?: string;
  /** `natGateways` (default 0): NAT gateways of the pipeline VPC. */
  readonly natGateways: number;
  /** `logRetentionDays` (default 30): retention of every log group (a CloudWatch Logs retention value). */
  readonly logRetention: logs.RetentionDays;
  /** `stagingExpirationDays` (default 3): days before uploads under `staging/` expire. */
  readonly stagingExpirationDays: number;
  /** `throttleRateLimit` (default 50 requests/s, steady state of the API stage). */
  readonly throttleRateLimit: number;
  /** `throttleBurstLimit` (default 100 requests, burst of the API stage). */
  readonly throttleBurstLimit: number;
  /** `maxUploadBytes` (default 4 MiB): largest direct-upload request body the API accepts. */
  readonly maxUploadBytes: number;
  /** `maxDatasetsPerUser` (default 1000): datasets one user may own; a create above it answers 403. */
  readonly maxDatasetsPerUser: number;
  /** `maxActiveOperationsPerUser` (default 4): operations running at once on one user's datasets; 429 above it. */
  readonly maxActiveOperationsPerUser: number;
}

/**
 * How the authorizer verifies JWTs: a JWKS URL (any OIDC provider), an HS256 secret
 * kept in Secrets Manager, or — when neither key is given — an HS256 secret that the
 * stack generates in Secrets Manager, so a default deployment is locked down without
 * any secret ever living in cdk.json.
 */
type TokenVerifier =
  | { readonly kind: 'jwks'; readonly jwksUrl: string }
  | { readonly kind: 'secret'; readonly secretArn: string }
  | { readonly kind: 'generated-secret' };

export interface AuthConfig {
  readonly verifier: TokenVerifier;
  /** `authIssuer` (required): expected `iss`. */
  readonly issuer: string;
  /** `authAudience` (required): expected `aud`; a comma-separated list accepts any of them. */
  readonly audience: string;
  /** `authCookieName` (default "session"): cookie carrying the JWT for browser clients. */
  readonly cookieName: string;
}

/** Instance requirements for ECS Managed Instances (attribute-based instance selection). */
export interface GpuInstanceConfig {
  readonly vcpuMin: number;
  readonly vcpuMax: number;
  readonly memoryMinMiB: number;
  readonly memoryMaxMiB?: number;
  readonly acceleratorCountMin: number;
  readonly acceleratorCountMax: number;
  readonly acceleratorTypes: readonly ec2.AcceleratorType[];
  readonly acceleratorManufacturers: readonly ec2.AcceleratorManufacturer[];
  /** Empty: no filter by name (then narrow the selection with allowedInstanceTypes). */
  readonly acceleratorNames: readonly ec2.AcceleratorName[];
  readonly acceleratorTotalMemoryMinMiB?: number;
  /** x86 only: the worker image is built for linux/amd64 with CUDA. */
  readonly cpuManufacturers: readonly ec2.CpuManufacturer[];
  readonly allowedInstanceTypes?: readonly string[];
}

type CapacityProviderAcceleratorName = NonNullable<InstanceRequirementsRequest['AcceleratorNames']>[number];

/**
 * The accelerator names AWS::ECS::CapacityProvider accepts (its registry schema, via @awboost/cfn-resource-types):
 * fewer than EC2's (no `l4`), and CloudFormation rejects the provider on any other. Keyed by the schema's type, so a
 * name added to or removed from the schema fails the type check until this list follows.
 */
const CAPACITY_PROVIDER_ACCELERATOR_NAMES: Readonly<Record<CapacityProviderAcceleratorName, true>> = {
  a10g: true,
  a100: true,
  h100: true,
  inferentia: true,
  k520: true,
  k80: true,
  m60: true,
  'radeon-pro-v520': true,
  t4: true,
  t4g: true,
  vu9p: true,
  v100: true,
  l40s: true,
};

/** EC2's accelerator names that a capacity provider also accepts. */
const ACCELERATOR_NAMES: Record<string, ec2.AcceleratorName> = Object.fromEntries(
  Object.entries(ec2.AcceleratorName).filter(([, name]) => Object.hasOwn(CAPACITY_PROVIDER_ACCELERATOR_NAMES, name)),
);

/**
 * One NVIDIA GPU with 4–32 vCPUs on a current x86 inference instance: g4dn (T4),
 * g5 (A10G) or g6e (L40S). Enough for an image encoder; the names keep selection away
 * from training-class GPUs (A100/H100) and Graviton g5g. g6 (L4) cannot be named (the
 * capacity provider's schema has no `l4`): to use it, set acceleratorNames to [] (no name
 * filter) and allowedInstanceTypes to ["g6.*"].
 */
export const DEFAULT_GPU_INSTANCE: GpuInstanceConfig = {
  vcpuMin: 4,
  vcpuMax: 32,
  memoryMinMiB: 16 * 1024,
  acceleratorCountMin: 1,
  acceleratorCountMax: 1,
  acceleratorTypes: [ec2.AcceleratorType.GPU],
  acceleratorManufacturers: [ec2.AcceleratorManufacturer.NVIDIA],
  acceleratorNames: [ec2.AcceleratorName.T4, ec2.AcceleratorName.A10G, ec2.AcceleratorName.L40S],
  cpuManufacturers: [ec2.CpuManufacturer.INTEL, ec2.CpuManufacturer.AMD],
};

/**
 * A direct upload reaches the handler base64-encoded inside a Lambda event, and a
 * synchronous Lambda invocation carries at most 6 MB. Keeping 64 KiB for headers and
 * the rest of the event, the largest body that fits is about 4.45 MiB.
 */
export const MAX_UPLOAD_BYTES_LIMIT = Math.floor(((6 * 1024 * 1024 - 64 * 1024) * 3) / 4);

/** Inline Map fan-out stays far below Step Functions' 25,000-event history limit. */
export const MAX_SHARDS_LIMIT = 1000;

export const CONFIG_DEFAULTS = {
  addMediaEnabled: true,
  authCookieName: 'session',
  allowedOrigins: [] as string[],
  allowedAssumeRoleArns: [] as string[],
  sourceBucketNames: [] as string[],
  useSpotDefault: true,
  maxShards: 200,
  maxConcurrency: 20,
  similarityThreshold: 0.9,
  natGateways: 0,
  logRetentionDays: 30,
  stagingExpirationDays: 3,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  maxUploadBytes: 4 * 1024 * 1024,
  maxDatasetsPerUser: 1000,
  maxActiveOperationsPerUser: 4,
} as const;

const CONTEXT_KEYS = [
  'addMediaEnabled',
  'authJwksUrl',
  'authJwtSecretArn',
  'authIssuer',
  'authAudience',
  'authCookieName',
  'allowedOrigins',
  'allowedAssumeRoleArns',
  'sourceBucketNames',
  'assumeRoleExternalId',
  'useSpotDefault',
  'gpuInstance',
  'maxShards',
  'maxConcurrency',
  'similarityThreshold',
  'modelUri',
  'workerModelUrl',
  'workerModelSha256',
  'defaultEmbeddingConfig',
  'alarmEmail',
  'natGateways',
  'logRetentionDays',
  'stagingExpirationDays',
  'throttleRateLimit',
  'throttleBurstLimit',
  'maxUploadBytes',
  'maxDatasetsPerUser',
  'maxActiveOperationsPerUser',
] as const;

export class DeploymentConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid deployment configuration (CDK context):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DeploymentConfigError';
  }
}

/** Reads the configuration from the context of `scope` (normally the App). */
export function loadDeploymentConfig(scope: IConstruct): DeploymentConfig {
  return parseDeploymentConfig(scope.node.getAllContext());
}

/**
 * Parses and validates every key at once, with the rules every process reads its settings by
 * (core/config/settings.ts); throws a DeploymentConfigError listing all problems, each naming the key, the bad value
 * and what it must be. Values may be native JSON (cdk.json) or strings (`-c key=value`): "true"/"false" (or 1/0),
 * numbers, JSON arrays/objects, and comma-separated lists are accepted.
 */
export function parseDeploymentConfig(context: Readonly<Record<string, unknown>>): DeploymentConfig {
  const read = new SettingsReader(context);
  for (const problem of unknownKeyProblems(context)) read.problem(problem);

  const config: DeploymentConfig = {
    addMediaEnabled: read.value('addMediaEnabled', SETTING.boolean, CONFIG_DEFAULTS.addMediaEnabled),
    auth: readAuth(read),
    allowedOrigins: read.value('allowedOrigins', ORIGINS, CONFIG_DEFAULTS.allowedOrigins),
    allowedAssumeRoleArns: read.value(
      'allowedAssumeRoleArns',
      ROLE_ARN_PATTERNS,
      CONFIG_DEFAULTS.allowedAssumeRoleArns,
    ),
    sourceBucketNames: read.value('sourceBucketNames', BUCKET_NAME_PATTERNS, CONFIG_DEFAULTS.sourceBucketNames),
    assumeRoleExternalId: read.optional('assumeRoleExternalId', EXTERNAL_ID),
    useSpotDefault: read.value('useSpotDefault', SETTING.boolean, CONFIG_DEFAULTS.useSpotDefault),
    gpuInstance: readGpuInstance(read),
    maxShards: read.value('maxShards', SETTING.integer(1, MAX_SHARDS_LIMIT), CONFIG_DEFAULTS.maxShards),
    maxConcurrency: read.value(
      'maxConcurrency',
      SETTING.integer(1, INLINE_MAP_MAX_CONCURRENCY),
      CONFIG_DEFAULTS.maxConcurrency,
    ),
    similarityThreshold: read.value('similarityThreshold', SETTING.fraction, CONFIG_DEFAULTS.similarityThreshold),
    modelUri: read.optional('modelUri', MODEL_URI),
    workerModel: readWorkerModel(read),
    defaultEmbeddingConfig: readEmbeddingConfig(read),
    alarmEmail: read.optional('alarmEmail', EMAIL),
    natGateways: read.value('natGateways', SETTING.integer(0, 3), CONFIG_DEFAULTS.natGateways),
    logRetention: readLogRetention(read),
    stagingExpirationDays: read.value(
      'stagingExpirationDays',
      SETTING.integer(1, 365),
      CONFIG_DEFAULTS.stagingExpirationDays,
    ),
    throttleRateLimit: read.value(
      'throttleRateLimit',
      SETTING.positiveNumber(10_000),
      CONFIG_DEFAULTS.throttleRateLimit,
    ),
    throttleBurstLimit: read.value('throttleBurstLimit', SETTING.integer(1, 5_000), CONFIG_DEFAULTS.throttleBurstLimit),
    maxUploadBytes: read.value(
      'maxUploadBytes',
      SETTING.integer(1, MAX_UPLOAD_BYTES_LIMIT),
      CONFIG_DEFAULTS.maxUploadBytes,
    ),
    maxDatasetsPerUser: read.value(
      'maxDatasetsPerUser',
      SETTING.integer(1, 1_000_000),
      CONFIG_DEFAULTS.maxDatasetsPerUser,
    ),
    maxActiveOperationsPerUser: read.value(
      'maxActiveOperationsPerUser',
      SETTING.integer(1, 1000),
      CONFIG_DEFAULTS.maxActiveOperationsPerUser,
    ),
  };

  const defaultEmbeddingConfig = pinnedEmbeddingConfig(read, config);
  if (read.problems.length > 0) throw new DeploymentConfigError(read.problems);
  return { ...config, ...(defaultEmbeddingConfig ? { defaultEmbeddingConfig } : {}) };
}

/**
 * The embedding config datasets are created with, pinned to the model baked into the worker image: every dataset
 * records which bytes embedded it, so a later deployment with another model refuses to add to it (409) instead of
 * mixing vectors that do not compare, and each embed task checks the file it loads against the dataset's pin. With
 * `modelUri` the config must carry that model's pin itself: the deployment cannot know its bytes.
 */
function pinnedEmbeddingConfig(read: SettingsReader, config: DeploymentConfig): EmbeddingConfig | undefined {
  const { workerModel, modelUri, defaultEmbeddingConfig } = config;
  if (modelUri && !defaultEmbeddingConfig?.model_sha256)
    read.problem(
      `modelUri is ${modelUri} but defaultEmbeddingConfig.model_sha256 is not set: the workers load a model from elsewhere only against its pin; set defaultEmbeddingConfig (the model's model_id, dimension, input_size, mean, std, version) with the model file's model_sha256.`,
    );
  if (!workerModel || modelUri) return defaultEmbeddingConfig;
  const embedding = defaultEmbeddingConfig ?? DEFAULT_EMBEDDING_CONFIG;
  if (embedding.model_sha256 === undefined) return { ...embedding, model_sha256: workerModel.sha256 };
  if (embedding.model_sha256 !== workerModel.sha256)
    read.problem(
      `defaultEmbeddingConfig.model_sha256 is ${embedding.model_sha256} but workerModelSha256 is ${workerModel.sha256}: every embed task would refuse the image's model; drop the former or make them agree.`,
    );
  return embedding;
}

function readAuth(read: SettingsReader): AuthConfig {
  const jwksUrl = read.optional('authJwksUrl', JWKS_URL);
  const secretArn = read.optional('authJwtSecretArn', SECRET_ARN);
  const issuer = read.optional('authIssuer', SETTING.text);
  if (!issuer)
    read.problem(
      'authIssuer is not set: set it to the `iss` your tokens carry, e.g. -c authIssuer=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
    );
  const audience = read.optional('authAudience', SETTING.text);
  if (!audience)
    read.problem('authAudience is not set: set it to the `aud` your tokens carry, e.g. -c authAudience=my-client-id');
  const cookieName = read.value('authCookieName', COOKIE_NAME, CONFIG_DEFAULTS.authCookieName);

  let verifier: TokenVerifier = { kind: 'generated-secret' };
  if (jwksUrl !== undefined && secretArn !== undefined) {
    read.problem(
      `authJwksUrl and authJwtSecretArn are both set (${jwksUrl}, ${secretArn}): keep exactly one — ` +
        'authJwksUrl for an OIDC provider, authJwtSecretArn for a shared HS256 secret.',
    );
  } else if (jwksUrl !== undefined) {
    verifier = { kind: 'jwks', jwksUrl };
  } else if (secretArn !== undefined) {
    verifier = { kind: 'secret', secretArn };
  }
  return { verifier, issuer: issuer ?? '', audience: audience ?? '', cookieName };
}

const GPU_FIELDS = [
  ...Object.keys(DEFAULT_GPU_INSTANCE),
  'memoryMaxMiB',
  'acceleratorTotalMemoryMinMiB',
  'allowedInstanceTypes',
];

/** The values of `enumeration` as a list rule: at least `minEntries` of them. */
const enumList = <T extends string>(enumeration: Record<string, T>, minEntries = 1) => {
  const allowed: readonly string[] = Object.values(enumeration);
  return SETTING.listOf(`a list of ${allowed.join(', ')}`, (entry) => allowed.includes(entry), minEntries);
};

/** gpuInstance's fields are read as `gpuInstance.<field>` settings, so problems name them that way. */
function readGpuInstance(read: SettingsReader): GpuInstanceConfig {
  const raw = read.optional('gpuInstance', SETTING.jsonObject);
  if (raw === undefined) return DEFAULT_GPU_INSTANCE;

  for (const key of Object.keys(raw)) {
    if (!GPU_FIELDS.includes(key))
      read.problem(`gpuInstance.${key} is not a known field; use one of: ${GPU_FIELDS.join(', ')}.`);
  }
  const sub = new SettingsReader(
    Object.fromEntries(Object.entries(raw).map(([key, value]) => [`gpuInstance.${key}`, value])),
  );
  const d = DEFAULT_GPU_INSTANCE;
  const gpu: GpuInstanceConfig = {
    vcpuMin: sub.value('gpuInstance.vcpuMin', SETTING.integer(1, 512), d.vcpuMin),
    vcpuMax: sub.value('gpuInstance.vcpuMax', SETTING.integer(1, 512), d.vcpuMax),
    memoryMinMiB: sub.value('gpuInstance.memoryMinMiB', SETTING.integer(512, 4 * 1024 * 1024), d.memoryMinMiB),
    memoryMaxMiB: sub.optional('gpuInstance.memoryMaxMiB', SETTING.integer(512, 4 * 1024 * 1024)),
    acceleratorCountMin: sub.value('gpuInstance.acceleratorCountMin', SETTING.integer(1, 16), d.acceleratorCountMin),
    acceleratorCountMax: sub.value('gpuInstance.acceleratorCountMax', SETTING.integer(1, 16), d.acceleratorCountMax),
    acceleratorTypes: sub.value(
      'gpuInstance.acceleratorTypes',
      enumList(ec2.AcceleratorType),
      d.acceleratorTypes,
    ) as readonly ec2.AcceleratorType[],
    acceleratorManufacturers: sub.value(
      'gpuInstance.acceleratorManufacturers',
      enumList(ec2.AcceleratorManufacturer),
      d.acceleratorManufacturers,
    ) as readonly ec2.AcceleratorManufacturer[],
    // An empty list is allowed here: no filter by name.
    acceleratorNames:
      (Array.isArray(raw.acceleratorNames) && raw.acceleratorNames.length === 0) || raw.acceleratorNames === '[]'
        ? []
        : (sub.value(
            'gpuInstance.acceleratorNames',
            enumList(ACCELERATOR_NAMES),
            d.acceleratorNames,
          ) as readonly ec2.AcceleratorName[]),
    acceleratorTotalMemoryMinMiB: sub.optional(
      'gpuInstance.acceleratorTotalMemoryMinMiB',
      SETTING.integer(1, 4 * 1024 * 1024),
    ),
    cpuManufacturers: sub.value(
      'gpuInstance.cpuManufacturers',
      enumList(ec2.CpuManufacturer),
      d.cpuManufacturers,
    ) as readonly ec2.CpuManufacturer[],
    allowedInstanceTypes: optionalList(
      sub.value(
        'gpuInstance.allowedInstanceTypes',
        SETTING.listOf('a list of instance types or patterns (e.g. g5.* or g6.xlarge)', (entry) =>
          /^[a-z0-9*]+(\.[a-z0-9*]+)?$/.test(entry),
        ),
        [],
      ),
    ),
  };
  for (const problem of sub.problems) read.problem(problem);
  if (gpu.vcpuMin > gpu.vcpuMax)
    read.problem(
      `gpuInstance.vcpuMin (${gpu.vcpuMin}) is above vcpuMax (${gpu.vcpuMax}): lower vcpuMin or raise vcpuMax.`,
    );
  if (gpu.memoryMaxMiB !== undefined && gpu.memoryMinMiB > gpu.memoryMaxMiB) {
    read.problem(
      `gpuInstance.memoryMinMiB (${gpu.memoryMinMiB}) is above memoryMaxMiB (${gpu.memoryMaxMiB}): lower memoryMinMiB or raise memoryMaxMiB.`,
    );
  }
  if (gpu.acceleratorCountMin > gpu.acceleratorCountMax) {
    read.problem(
      `gpuInstance.acceleratorCountMin (${gpu.acceleratorCountMin}) is above acceleratorCountMax (${gpu.acceleratorCountMax}): lower the min or raise the max.`,
    );
  }
  return gpu;
}

function optionalList<T>(items: readonly T[]): readonly T[] | undefined {
  return items.length > 0 ? items : undefined;
}

/** Checked by the schema core applies to every dataset (core/datasets/embedding-config.ts), so synth and the Lambdas agree. */
function readEmbeddingConfig(read: SettingsReader): EmbeddingConfig | undefined {
  const raw = read.optional('defaultEmbeddingConfig', SETTING.jsonObject);
  if (raw === undefined) return undefined;
  const issues = embeddingConfigIssues(raw);
  for (const { path, message } of issues) {
    const value = path.reduce<unknown>((at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key], raw);
    read.problem(
      `defaultEmbeddingConfig${path.map((key) => `.${String(key)}`).join('')} is ${JSON.stringify(value) ?? 'missing'}: ${message}.`,
    );
  }
  return issues.length === 0 ? parseEmbeddingConfig(raw) : undefined;
}

function readLogRetention(read: SettingsReader): logs.RetentionDays {
  const days = read.value('logRetentionDays', SETTING.integer(1, 9999), CONFIG_DEFAULTS.logRetentionDays);
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (allowed.includes(days)) return days as logs.RetentionDays;
  read.problem(
    `logRetentionDays must be a CloudWatch Logs retention, one of ${allowed.join(', ')} (9999 = never expire), got "${days}"`,
  );
  return CONFIG_DEFAULTS.logRetentionDays;
}

/** Plain camelCase keys that are not ours are almost always typos (`maxShard`); CDK's own keys contain ':' or '@'. */
function unknownKeyProblems(context: Readonly<Record<string, unknown>>): string[] {
  const known = new Set<string>(CONTEXT_KEYS);
  return Object.keys(context)
    .filter((key) => /^[a-z][A-Za-z0-9]*$/.test(key) && !known.has(key))
    .map((key) => {
      const guess = closestKey(key);
      return `${key} is not a known context key${guess ? `; did you mean ${guess}?` : ''} Known keys: ${CONTEXT_KEYS.join(', ')}.`;
    });
}

function closestKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  return CONTEXT_KEYS.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()));
}

// ---- the rules of this app's string values (the shared rules cover booleans, numbers, lists) ----

const isOrigin = (value: string) => {
  const url = URL.parse(value);
  return (url?.protocol === 'https:' || url?.protocol === 'http:') && url.origin === value;
};

const ORIGINS = SETTING.listOf(
  'a list of origins: scheme, host and optional port, no path or trailing slash (e.g. https://app.example.com)',
  isOrigin,
);

const ROLE_ARN_PATTERNS = SETTING.listOf(
  'a list of IAM role ARNs, optionally with * wildcards (e.g. arn:aws:iam::123456789012:role/dataset-reader or arn:aws:iam::*:role/vl-*), and no commas',
  (value) => /^arn:aws(-[a-z]+)*:iam::(\d{12}|\*):role\/[\w+=.@\-/*]+$/.test(value),
);

const BUCKET_NAME_PATTERNS = SETTING.listOf(
  'a list of S3 bucket names, optionally with * wildcards (e.g. my-media or team-*-media)',
  (value) => /^[a-z0-9*][a-z0-9.*-]{1,62}$/.test(value),
);

const EXTERNAL_ID = SETTING.matching(/^[\w+=,.@:/-]{2,1224}$/, '2–1224 characters of letters, digits and +=,.@:/-');

const JWKS_URL = SETTING.satisfying(
  'an https:// URL of a JSON Web Key Set (e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/jwks.json)',
  (value) => URL.parse(value)?.protocol === 'https:',
);

// The complete ARN (with the 6-character suffix) is what IAM matches on; a partial one would grant nothing.
const SECRET_ARN = SETTING.matching(
  /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/,
  'the complete Secrets Manager secret ARN, 6-character suffix included (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbC123)',
);

const COOKIE_NAME = SETTING.matching(
  /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/,
  "a cookie name token (letters, digits, !#$%&'*+-.^_`|~)",
);

const MODEL_URI = SETTING.matching(
  /^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+|https:\/\/\S+)$/,
  'an s3://bucket/key or https:// URI of the ONNX model',
);

const EMAIL = SETTING.matching(/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/, 'one e-mail address (e.g. ops@example.com)');

function readWorkerModel(read: SettingsReader): DeploymentConfig['workerModel'] {
  const url = read.optional(
    'workerModelUrl',
    SETTING.matching(/^https:\/\/\S+$/, 'an https:// URL of the ONNX image encoder'),
  );
  const sha256 = read.optional(
    'workerModelSha256',
    SETTING.matching(/^[0-9a-f]{64}$/, "the 64 lowercase hex digits of the model file's SHA-256"),
  );
  if (url && sha256) return { url, sha256 };
  if (url || sha256)
    read.problem(
      'workerModelUrl and workerModelSha256 go together: set both (the image build verifies the download) or neither.',
    );
  return undefined;
}
