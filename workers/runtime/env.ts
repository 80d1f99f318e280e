import {
  readOptionalSetting,
  readSetting,
  SETTING,
  SettingsError,
  type SettingsSource,
} from '../../core/config/settings';

/** Typed getters over a worker's environment (core/config/settings.ts rules); each throws an EnvError naming the variable. */
export type EnvSource = SettingsSource & Readonly<Record<string, string | undefined>>;

export { SettingsError as EnvError };

/** The value, or undefined when unset or empty. */
export function optionalEnv(env: EnvSource, name: string): string | undefined {
  return readOptionalSetting(env, name, SETTING.text) === undefined ? undefined : env[name];
}

export function requireEnv(env: EnvSource, name: string): string {
  readSetting(env, name, SETTING.text);
  return env[name]!;
}

export function intEnv(
  env: EnvSource,
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  return readSetting(env, name, SETTING.integer(min, max), fallback);
}

/** `true`/`false` (any case), `1`/`0`; the fallback when unset. */
export function boolEnv(env: EnvSource, name: string, fallback: boolean): boolean {
  return readSetting(env, name, SETTING.boolean, fallback);
}

export function oneOfEnv<T extends string>(env: EnvSource, name: string, allowed: readonly [T, ...T[]]): T {
  return readSetting(env, name, SETTING.oneOf(allowed));
}

export function jsonEnv(env: EnvSource, name: string): unknown {
  const raw = requireEnv(env, name);
  try {
    return JSON.parse(raw);
  } catch {
    throw new SettingsError(`${name} must be JSON, got "${raw}"`);
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
