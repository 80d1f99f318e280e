import type { InstanceRequirementsRequest } from '@awboost/cfn-resource-types/AWS-ECS-CapacityProvider';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { type EmbeddingConfig, embeddingConfigIssues, parseEmbeddingConfig } from '../core/datasets/embedding-config';
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
 * Parses and validates every key at once; throws a DeploymentConfigError listing all
 * problems, each naming the key, the bad value and the fix. Values may be native JSON
 * (cdk.json) or strings (`-c key=value`): "true"/"false", numbers, JSON arrays/objects,
 * and comma-separated lists are accepted.
 */
export function parseDeploymentConfig(context: Readonly<Record<string, unknown>>): DeploymentConfig {
  const problems: string[] = [];
  const read = new ContextReader(context, problems);

  problems.push(...unknownKeyProblems(context));

  const config: DeploymentConfig = {
    addMediaEnabled: read.boolean('addMediaEnabled', CONFIG_DEFAULTS.addMediaEnabled),
    auth: readAuth(read, problems),
    allowedOrigins: read.list('allowedOrigins', CONFIG_DEFAULTS.allowedOrigins, checkOrigin),
    allowedAssumeRoleArns: read.list(
      'allowedAssumeRoleArns',
      CONFIG_DEFAULTS.allowedAssumeRoleArns,
      checkRoleArnPattern,
    ),
    sourceBucketNames: read.list('sourceBucketNames', CONFIG_DEFAULTS.sourceBucketNames, checkBucketNamePattern),
    assumeRoleExternalId: read.optionalString('assumeRoleExternalId', checkExternalId),
    useSpotDefault: read.boolean('useSpotDefault', CONFIG_DEFAULTS.useSpotDefault),
    gpuInstance: readGpuInstance(read, problems),
    maxShards: read.integer('maxShards', CONFIG_DEFAULTS.maxShards, 1, MAX_SHARDS_LIMIT),
    maxConcurrency: read.integer('maxConcurrency', CONFIG_DEFAULTS.maxConcurrency, 1, INLINE_MAP_MAX_CONCURRENCY),
    similarityThreshold: read.number('similarityThreshold', CONFIG_DEFAULTS.similarityThreshold, {
      min: 0,
      minExclusive: true,
      max: 1,
    }),
    modelUri: read.optionalString('modelUri', checkModelUri),
    workerModel: readWorkerModel(read, problems),
    defaultEmbeddingConfig: readEmbeddingConfig(read, problems),
    alarmEmail: read.optionalString('alarmEmail', checkEmail),
    natGateways: read.integer('natGateways', CONFIG_DEFAULTS.natGateways, 0, 3),
    logRetention: readLogRetention(read, problems),
    stagingExpirationDays: read.integer('stagingExpirationDays', CONFIG_DEFAULTS.stagingExpirationDays, 1, 365),
    throttleRateLimit: read.number('throttleRateLimit', CONFIG_DEFAULTS.throttleRateLimit, {
      min: 0,
      minExclusive: true,
      max: 10_000,
    }),
    throttleBurstLimit: read.integer('throttleBurstLimit', CONFIG_DEFAULTS.throttleBurstLimit, 1, 5_000),
    maxUploadBytes: read.integer('maxUploadBytes', CONFIG_DEFAULTS.maxUploadBytes, 1, MAX_UPLOAD_BYTES_LIMIT),
  };

  if (problems.length > 0) throw new DeploymentConfigError(problems);
  return config;
}

function readAuth(read: ContextReader, problems: string[]): AuthConfig {
  const jwksUrl = read.optionalString('authJwksUrl', checkJwksUrl);
  const secretArn = read.optionalString('authJwtSecretArn', checkSecretArn);
  const issuer = read.requiredString(
    'authIssuer',
    'set it to the `iss` your tokens carry, e.g. -c authIssuer=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
  );
  const audience = read.requiredString(
    'authAudience',
    'set it to the `aud` your tokens carry, e.g. -c authAudience=my-client-id',
  );
  const cookieName = read.string('authCookieName', CONFIG_DEFAULTS.authCookieName, checkCookieName);

  let verifier: TokenVerifier = { kind: 'generated-secret' };
  if (jwksUrl !== undefined && secretArn !== undefined) {
    problems.push(
      `authJwksUrl and authJwtSecretArn are both set (${jwksUrl}, ${secretArn}): keep exactly one — ` +
        'authJwksUrl for an OIDC provider, authJwtSecretArn for a shared HS256 secret.',
    );
  } else if (jwksUrl !== undefined) {
    verifier = { kind: 'jwks', jwksUrl };
  } else if (secretArn !== undefined) {
    verifier = { kind: 'secret', secretArn };
  }
  return { verifier, issuer, audience, cookieName };
}

function readGpuInstance(read: ContextReader, problems: string[]): GpuInstanceConfig {
  const raw = read.object('gpuInstance');
  if (raw === undefined) return DEFAULT_GPU_INSTANCE;

  const known = new Set(
    Object.keys(DEFAULT_GPU_INSTANCE).concat(['memoryMaxMiB', 'acceleratorTotalMemoryMinMiB', 'allowedInstanceTypes']),
  );
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      problems.push(`gpuInstance.${key} is not a known field; use one of: ${[...known].join(', ')}.`);
  }
  const sub = new ContextReader(raw, problems, 'gpuInstance.');
  const d = DEFAULT_GPU_INSTANCE;
  const gpu: GpuInstanceConfig = {
    vcpuMin: sub.integer('vcpuMin', d.vcpuMin, 1, 512),
    vcpuMax: sub.integer('vcpuMax', d.vcpuMax, 1, 512),
    memoryMinMiB: sub.integer('memoryMinMiB', d.memoryMinMiB, 512, 4 * 1024 * 1024),
    memoryMaxMiB: sub.optionalInteger('memoryMaxMiB', 512, 4 * 1024 * 1024),
    acceleratorCountMin: sub.integer('acceleratorCountMin', d.acceleratorCountMin, 1, 16),
    acceleratorCountMax: sub.integer('acceleratorCountMax', d.acceleratorCountMax, 1, 16),
    acceleratorTypes: sub.enumList('acceleratorTypes', d.acceleratorTypes, ec2.AcceleratorType),
    acceleratorManufacturers: sub.enumList(
      'acceleratorManufacturers',
      d.acceleratorManufacturers,
      ec2.AcceleratorManufacturer,
    ),
    acceleratorNames: sub.enumList('acceleratorNames', d.acceleratorNames, ACCELERATOR_NAMES, { allowEmpty: true }),
    acceleratorTotalMemoryMinMiB: sub.optionalInteger('acceleratorTotalMemoryMinMiB', 1, 4 * 1024 * 1024),
    cpuManufacturers: sub.enumList('cpuManufacturers', d.cpuManufacturers, ec2.CpuManufacturer),
    allowedInstanceTypes: optionalList(sub.list('allowedInstanceTypes', [], checkInstanceTypePattern)),
  };
  if (gpu.vcpuMin > gpu.vcpuMax)
    problems.push(
      `gpuInstance.vcpuMin (${gpu.vcpuMin}) is above vcpuMax (${gpu.vcpuMax}): lower vcpuMin or raise vcpuMax.`,
    );
  if (gpu.memoryMaxMiB !== undefined && gpu.memoryMinMiB > gpu.memoryMaxMiB) {
    problems.push(
      `gpuInstance.memoryMinMiB (${gpu.memoryMinMiB}) is above memoryMaxMiB (${gpu.memoryMaxMiB}): lower memoryMinMiB or raise memoryMaxMiB.`,
    );
  }
  if (gpu.acceleratorCountMin > gpu.acceleratorCountMax) {
    problems.push(
      `gpuInstance.acceleratorCountMin (${gpu.acceleratorCountMin}) is above acceleratorCountMax (${gpu.acceleratorCountMax}): lower the min or raise the max.`,
    );
  }
  return gpu;
}

function optionalList<T>(items: readonly T[]): readonly T[] | undefined {
  return items.length > 0 ? items : undefined;
}

/** Checked by the schema core applies to every dataset (core/datasets/embedding-config.ts), so synth and the Lambdas agree. */
function readEmbeddingConfig(read: ContextReader, problems: string[]): EmbeddingConfig | undefined {
  const raw = read.object('defaultEmbeddingConfig');
  if (raw === undefined) return undefined;
  const issues = embeddingConfigIssues(raw);
  for (const { path, message } of issues) {
    const value = path.reduce<unknown>((at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key], raw);
    problems.push(
      `defaultEmbeddingConfig${path.map((key) => `.${String(key)}`).join('')} is ${show(value)}: ${message}.`,
    );
  }
  return issues.length === 0 ? parseEmbeddingConfig(raw) : undefined;
}

function readLogRetention(read: ContextReader, problems: string[]): logs.RetentionDays {
  const days = read.integer('logRetentionDays', CONFIG_DEFAULTS.logRetentionDays, 1, 9999);
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) {
    problems.push(
      `logRetentionDays is ${days}: CloudWatch Logs accepts only ${allowed.join(', ')} (9999 = never expire).`,
    );
    return CONFIG_DEFAULTS.logRetentionDays;
  }
  return days as logs.RetentionDays;
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

// ---- value checks: return a problem description (without the key) or undefined ----

type Check = (value: string) => string | undefined;

function checkOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value) return undefined;
  } catch {
    // reported below
  }
  return 'must be an origin: scheme, host and optional port, no path or trailing slash (e.g. https://app.example.com)';
}

const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::(\d{12}|\*):role\/[\w+=.@\-/*]+$/;

function checkRoleArnPattern(value: string): string | undefined {
  return ROLE_ARN_PATTERN.test(value)
    ? undefined
    : 'must be an IAM role ARN, optionally with * wildcards (e.g. arn:aws:iam::123456789012:role/dataset-reader or arn:aws:iam::*:role/vl-*), and no commas';
}

function readWorkerModel(read: ContextReader, problems: string[]): DeploymentConfig['workerModel'] {
  const url = read.optionalString('workerModelUrl', (value) =>
    /^https:\/\/\S+$/.test(value) ? undefined : 'must be an https:// URL of the ONNX image encoder',
  );
  const sha256 = read.optionalString('workerModelSha256', (value) =>
    /^[0-9a-f]{64}$/.test(value) ? undefined : "must be the 64 lowercase hex digits of the model file's SHA-256",
  );
  if (url && sha256) return { url, sha256 };
  if (url || sha256)
    problems.push(
      'workerModelUrl and workerModelSha256 go together: set both (the image build verifies the download) or neither.',
    );
  return undefined;
}

function checkBucketNamePattern(value: string): string | undefined {
  return /^[a-z0-9*][a-z0-9.*-]{1,62}$/.test(value)
    ? undefined
    : 'must be an S3 bucket name, optionally with * wildcards (e.g. my-media or team-*-media), and no commas';
}

function checkExternalId(value: string): string | undefined {
  return /^[\w+=,.@:/-]{2,1224}$/.test(value) ? undefined : 'must be 2–1224 characters of letters, digits and +=,.@:/-';
}

function checkJwksUrl(value: string): string | undefined {
  try {
    if (new URL(value).protocol === 'https:') return undefined;
  } catch {
    // reported below
  }
  return 'must be an https:// URL of a JSON Web Key Set (e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/jwks.json)';
}

function checkSecretArn(value: string): string | undefined {
  // The complete ARN (with the 6-character suffix) is what IAM matches on; a partial one would grant nothing.
  return /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/.test(value)
    ? undefined
    : 'must be the complete Secrets Manager secret ARN, 6-character suffix included (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbC123)';
}

function checkCookieName(value: string): string | undefined {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)
    ? undefined
    : "must be a cookie name token (letters, digits, !#$%&'*+-.^_`|~)";
}

function checkModelUri(value: string): string | undefined {
  return /^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+|https:\/\/\S+)$/.test(value)
    ? undefined
    : 'must be an s3://bucket/key or https:// URI of the ONNX model';
}

function checkEmail(value: string): string | undefined {
  return /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(value) ? undefined : 'must be one e-mail address (e.g. ops@example.com)';
}

function checkInstanceTypePattern(value: string): string | undefined {
  return /^[a-z0-9*]+(\.[a-z0-9*]+)?$/.test(value)
    ? undefined
    : 'must be an instance type or pattern (e.g. g5.* or g6.xlarge)';
}

function show(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** Reads typed values from a context-like record, recording problems instead of throwing. */
class ContextReader {
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly problems: string[],
    private readonly prefix = '',
  ) {}

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.values[key];
    if (raw === undefined || raw === '') return fallback;
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase() === 'true';
    this.problem(key, raw, 'must be true or false');
    return fallback;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.optionalInteger(key, min, max);
    return value ?? fallback;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    const value = this.toNumber(key);
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(key, this.values[key], `must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  number(key: string, fallback: number, range: { min: number; minExclusive?: boolean; max: number }): number {
    const value = this.toNumber(key);
    if (value === undefined) return fallback;
    const belowMin = range.minExclusive ? value <= range.min : value < range.min;
    if (belowMin || value > range.max) {
      this.problem(
        key,
        this.values[key],
        `must be a number ${range.minExclusive ? 'above' : 'from'} ${range.min} ${range.minExclusive ? 'and at most' : 'to'} ${range.max}`,
      );
      return fallback;
    }
    return value;
  }

  string(key: string, fallback: string, check: Check): string {
    return this.optionalString(key, check) ?? fallback;
  }

  requiredString(key: string, fix: string): string {
    const raw = this.values[key];
    if (typeof raw === 'string' && raw.trim() !== '') return raw.trim();
    this.problems.push(`${this.prefix}${key} is ${raw === undefined || raw === '' ? 'missing' : show(raw)}: ${fix}.`);
    return '';
  }

  optionalString(key: string, check: Check): string | undefined {
    const raw = this.values[key];
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string') {
      this.problem(key, raw, 'must be a string');
      return undefined;
    }
    const value = raw.trim();
    const problem = check(value);
    if (problem) {
      this.problem(key, raw, problem);
      return undefined;
    }
    return value;
  }

  list(key: string, fallback: readonly string[], check: Check): readonly string[] {
    const raw = this.values[key];
    if (raw === undefined || raw === '') return fallback;
    let items: unknown = raw;
    if (typeof raw === 'string') {
      const text = raw.trim();
      if (text.startsWith('[')) {
        try {
          items = JSON.parse(text);
        } catch {
          this.problem(key, raw, 'is not valid JSON; give a JSON array of strings or a comma-separated list');
          return fallback;
        }
      } else {
        items = text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '');
      }
    }
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
      this.problem(key, raw, 'must be a list of strings (JSON array or comma-separated)');
      return fallback;
    }
    const bad = items.map((item) => [item, check(item.trim())] as const).filter(([, problem]) => problem !== undefined);
    for (const [item, problem] of bad) this.problems.push(`${this.prefix}${key} entry ${show(item)} ${problem}.`);
    return bad.length > 0 ? fallback : items.map((item) => item.trim());
  }

  enumList<T extends string>(
    key: string,
    fallback: readonly T[],
    values: Record<string, T>,
    options: { allowEmpty?: boolean } = {},
  ): readonly T[] {
    const allowed = Object.values(values);
    const raw = this.values[key];
    if (options.allowEmpty && (raw === '[]' || (Array.isArray(raw) && raw.length === 0))) return [];
    const items = this.list(key, fallback, (item) =>
      (allowed as string[]).includes(item) ? undefined : `must be one of ${allowed.join(', ')}`,
    );
    if (items.length === 0) {
      this.problem(key, this.values[key], `must name at least one of ${allowed.join(', ')}`);
      return fallback;
    }
    return items as readonly T[];
  }

  object(key: string): Record<string, unknown> | undefined {
    const raw = this.values[key];
    if (raw === undefined || raw === '') return undefined;
    let value = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        this.problem(key, raw, 'is not valid JSON; give a JSON object');
        return undefined;
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(key, raw, 'must be a JSON object');
      return undefined;
    }
    return value as Record<string, unknown>;
  }

  private toNumber(key: string): number | undefined {
    const raw = this.values[key];
    if (raw === undefined || raw === '') return undefined;
    const value = typeof raw === 'string' ? Number(raw.trim()) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.problem(key, raw, 'must be a number');
      return undefined;
    }
    return value;
  }

  private problem(key: string, raw: unknown, fix: string): void {
    this.problems.push(`${this.prefix}${key} is ${show(raw)}: ${fix}.`);
  }
}
