import type { PlannerDeployment } from '../pipeline/planner';
import { SETTING, SettingsReader, type SettingsSource } from './settings';

/**
 * Environment of the pipeline Lambdas, read once per cold start (core/config/settings.ts rules). A getter reports every
 * missing or malformed variable in one error, so a misconfigured deployment fails at its first invocation with the whole list.
 */
interface StorageConfig {
  readonly tableName: string;
  readonly bucketName: string;
}

/** The Lambdas that end operations: where the end events go (docs/API.md "Events"). */
export interface OperationEndConfig extends StorageConfig {
  /** `default` in the cloud; unset (the local service): the event is logged instead. */
  readonly operationEventBus: string | undefined;
}

export interface PlanConfig extends StorageConfig {
  readonly deployment: PlannerDeployment;
}

export interface RecoveryConfig extends OperationEndConfig {
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

/** Only the account's default bus: the functions may PutEvents there and nowhere else (lib/pipeline/operation-events.ts). */
const EVENT_BUS = SETTING.oneOf(['default']);

/** finalize, finish-reindex, mark-failed. */
export function storageConfig(env: Env = process.env): OperationEndConfig {
  const read = new SettingsReader(env);
  const config = {
    tableName: read.value('TABLE_NAME', SETTING.text),
    bucketName: read.value('BUCKET_NAME', SETTING.text),
    operationEventBus: read.optional('OPERATION_EVENT_BUS', EVENT_BUS),
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
    operationEventBus: read.optional('OPERATION_EVENT_BUS', EVENT_BUS),
    addMediaStateMachineArn: read.value('ADD_MEDIA_STATE_MACHINE_ARN', STATE_MACHINE_ARN),
    reindexStateMachineArn: read.value('REINDEX_STATE_MACHINE_ARN', STATE_MACHINE_ARN),
  };
  read.done(LABEL);
  return config;
}
