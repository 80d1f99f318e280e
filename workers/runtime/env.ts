/** Typed getters over a worker's environment; every one throws an EnvError that names the variable and what is wrong. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** The value, or undefined when unset or empty. */
export function optionalEnv(env: EnvSource, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export function requireEnv(env: EnvSource, name: string): string {
  const value = optionalEnv(env, name);
  if (value === undefined) throw new EnvError(`Environment variable ${name} is required`);
  return value;
}

export function intEnv(
  env: EnvSource,
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new EnvError(
      `Environment variable ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** `true`/`false` (any case), `1`/`0`; the fallback when unset. */
export function boolEnv(env: EnvSource, name: string, fallback: boolean): boolean {
  const raw = optionalEnv(env, name)?.trim().toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new EnvError(`Environment variable ${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

export function oneOfEnv<T extends string>(env: EnvSource, name: string, allowed: readonly T[]): T {
  const value = requireEnv(env, name);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new EnvError(
      `Environment variable ${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

export function jsonEnv(env: EnvSource, name: string): unknown {
  const raw = requireEnv(env, name);
  try {
    return JSON.parse(raw);
  } catch {
    throw new EnvError(`Environment variable ${name} must be JSON`);
  }
}

/** What every worker gets (docs/pipeline.md "Environment every worker gets"); TABLE_NAME is read by the tasks that use it. */
export interface WorkerEnv {
  readonly bucketName: string;
  readonly datasetId: string;
  readonly operationId: string;
  readonly region: string;
  readonly logLevel: string;
}

export function readWorkerEnv(env: EnvSource): WorkerEnv {
  return {
    bucketName: requireEnv(env, 'BUCKET_NAME'),
    datasetId: requireEnv(env, 'DATASET_ID'),
    operationId: requireEnv(env, 'OPERATION_ID'),
    region: requireEnv(env, 'AWS_REGION'),
    logLevel: optionalEnv(env, 'LOG_LEVEL') ?? 'INFO',
  };
}
