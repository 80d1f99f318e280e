import type { PlannerDeployment } from '../pipeline/planner';
import { SETTING, SettingsReader, type SettingsSource } from './settings';

/**
 * Environment of the pipeline Lambdas, read once per cold start (core/config/settings.ts rules). A getter reports every
 * missing or malformed variable in one error, so a misconfigured deployment fails at its first invocation with the
 * whole list.
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

type Env = SettingsSource;

const LABEL = 'Invalid Lambda environment';
const STATE_MACHINE_ARN = SETTING.matching(
  /^arn:[\w-]+:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/,
  'a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)',
);
const NON_EMPTY_ID_LIST = SETTING.listOf('a comma-separated list of at least one id', () => true, 1);

/** finalize, finish-reindex, mark-failed. */
export function storageConfig(env: Env = process.env): StorageConfig {
  const read = new SettingsReader(env);
  const config = {
    tableName: read.value('TABLE_NAME', SETTING.text),
    bucketName: read.value('BUCKET_NAME', SETTING.text),
  };
  read.done(LABEL);
  return config;
}

/** plan. */
export function planConfig(env: Env = process.env): PlanConfig {
  const read = new SettingsReader(env);
  const config: PlanConfig = {
    tableName: read.value('TABLE_NAME', SETTING.text),
    bucketName: read.value('BUCKET_NAME', SETTING.text),
    deployment: {
      gpuSpotCapacityProvider: read.value('GPU_SPOT_CAPACITY_PROVIDER', SETTING.text),
      gpuOnDemandCapacityProvider: read.value('GPU_ON_DEMAND_CAPACITY_PROVIDER', SETTING.text),
      gpuTaskDefinitionArn: read.value('GPU_TASK_DEFINITION_ARN', SETTING.text),
      cpuTaskDefinitionArn: read.value('CPU_TASK_DEFINITION_ARN', SETTING.text),
      subnetIds: read.value('SUBNET_IDS', NON_EMPTY_ID_LIST),
      securityGroupIds: read.value('SECURITY_GROUP_IDS', NON_EMPTY_ID_LIST),
      defaultUseSpot: read.value('DEFAULT_USE_SPOT', SETTING.boolean),
      maxShards: read.value('MAX_SHARDS', SETTING.positiveInteger),
      maxConcurrency: read.value('MAX_CONCURRENCY', SETTING.positiveInteger),
    },
  };
  read.done(LABEL);
  return config;
}

/** stale-lock, sweeper. */
export function recoveryConfig(env: Env = process.env): RecoveryConfig {
  const read = new SettingsReader(env);
  const config = {
    tableName: read.value('TABLE_NAME', SETTING.text),
    bucketName: read.value('BUCKET_NAME', SETTING.text),
    addMediaStateMachineArn: read.value('ADD_MEDIA_STATE_MACHINE_ARN', STATE_MACHINE_ARN),
    reindexStateMachineArn: read.value('REINDEX_STATE_MACHINE_ARN', STATE_MACHINE_ARN),
  };
  read.done(LABEL);
  return config;
}
