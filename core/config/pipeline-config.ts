import type { PlannerDeployment } from '../pipeline/planner';

/**
 * Environment of the pipeline Lambdas, read once per cold start. A getter reports every missing or malformed variable
 * in one error, so a misconfigured deployment fails at its first invocation with the whole list.
 */
export interface StorageConfig {
  readonly tableName: string;
  readonly bucketName: string;
}

export interface PlanConfig extends StorageConfig {
  readonly deployment: PlannerDeployment;
}

export interface RecoveryConfig extends StorageConfig {
  readonly addMediaStateMachineArn: string;
  readonly reindexStateMachineArn: string;
}

type Env = Readonly<Record<string, string | undefined>>;

class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

/** finalize, finish-reindex, mark-failed. */
export function storageConfig(env: Env = process.env): StorageConfig {
  const read = new EnvReader(env);
  const config = { tableName: read.text('TABLE_NAME'), bucketName: read.text('BUCKET_NAME') };
  read.done();
  return config;
}

/** plan. */
export function planConfig(env: Env = process.env): PlanConfig {
  const read = new EnvReader(env);
  const config: PlanConfig = {
    tableName: read.text('TABLE_NAME'),
    bucketName: read.text('BUCKET_NAME'),
    deployment: {
      gpuSpotCapacityProvider: read.text('GPU_SPOT_CAPACITY_PROVIDER'),
      gpuOnDemandCapacityProvider: read.text('GPU_ON_DEMAND_CAPACITY_PROVIDER'),
      gpuTaskDefinitionArn: read.text('GPU_TASK_DEFINITION_ARN'),
      cpuTaskDefinitionArn: read.text('CPU_TASK_DEFINITION_ARN'),
      subnetIds: read.list('SUBNET_IDS'),
      securityGroupIds: read.list('SECURITY_GROUP_IDS'),
      defaultUseSpot: read.bool('DEFAULT_USE_SPOT'),
      maxShards: read.positiveInt('MAX_SHARDS'),
      maxConcurrency: read.positiveInt('MAX_CONCURRENCY'),
    },
  };
  read.done();
  return config;
}

/** stale-lock, sweeper. */
export function recoveryConfig(env: Env = process.env): RecoveryConfig {
  const read = new EnvReader(env);
  const config = {
    tableName: read.text('TABLE_NAME'),
    bucketName: read.text('BUCKET_NAME'),
    addMediaStateMachineArn: read.stateMachineArn('ADD_MEDIA_STATE_MACHINE_ARN'),
    reindexStateMachineArn: read.stateMachineArn('REINDEX_STATE_MACHINE_ARN'),
  };
  read.done();
  return config;
}

class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  text(name: string): string {
    const value = this.env[name]?.trim();
    if (!value) this.problems.push(`${name} is not set`);
    return value ?? '';
  }

  list(name: string): string[] {
    const items = this.text(name)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (this.env[name]?.trim() && !items.length)
      this.problems.push(`${name} must list at least one id, got "${this.env[name]}"`);
    return items;
  }

  bool(name: string): boolean {
    const value = this.text(name);
    if (value && value !== 'true' && value !== 'false')
      this.problems.push(`${name} must be "true" or "false", got "${value}"`);
    return value === 'true';
  }

  positiveInt(name: string): number {
    const value = this.text(name);
    const number = Number(value);
    if (value && !(/^\d+$/.test(value) && number >= 1))
      this.problems.push(`${name} must be a positive integer, got "${value}"`);
    return number;
  }

  stateMachineArn(name: string): string {
    const value = this.text(name);
    if (value && !/^arn:[\w-]+:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/.test(value))
      this.problems.push(
        `${name} must be a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>), got "${value}"`,
      );
    return value;
  }

  done(): void {
    if (this.problems.length) throw new PipelineConfigError(`Invalid Lambda environment: ${this.problems.join('; ')}`);
  }
}
