import { describe, expect, it } from 'vitest';
import { planConfig, recoveryConfig, storageConfig } from '../../core/config/pipeline-config';

const planEnv = {
  TABLE_NAME: 'table',
  BUCKET_NAME: 'bucket',
  GPU_SPOT_CAPACITY_PROVIDER: 'gpu-spot',
  GPU_ON_DEMAND_CAPACITY_PROVIDER: 'gpu-od',
  GPU_TASK_DEFINITION_ARN: 'arn:gpu',
  CPU_TASK_DEFINITION_ARN: 'arn:cpu',
  SUBNET_IDS: 'subnet-a, subnet-b,',
  SECURITY_GROUP_IDS: 'sg-1',
  DEFAULT_USE_SPOT: 'false',
  MAX_SHARDS: '200',
  MAX_CONCURRENCY: '16',
};

describe('pipeline Lambda configuration', () => {
  it('reads the plan environment into the planner deployment', () => {
    expect(planConfig(planEnv)).toEqual({
      tableName: 'table',
      bucketName: 'bucket',
      deployment: {
        gpuSpotCapacityProvider: 'gpu-spot',
        gpuOnDemandCapacityProvider: 'gpu-od',
        gpuTaskDefinitionArn: 'arn:gpu',
        cpuTaskDefinitionArn: 'arn:cpu',
        subnetIds: ['subnet-a', 'subnet-b'],
        securityGroupIds: ['sg-1'],
        defaultUseSpot: false,
        maxShards: 200,
        maxConcurrency: 16,
      },
    });
  });

  it('names every missing or malformed variable in one error', () => {
    const env = {
      ...planEnv,
      BUCKET_NAME: '',
      DEFAULT_USE_SPOT: 'yes',
      MAX_SHARDS: '0',
      SUBNET_IDS: ' , ',
      MAX_CONCURRENCY: undefined,
    };
    expect(() => planConfig(env)).toThrow(
      'Invalid Lambda environment: BUCKET_NAME is not set; SUBNET_IDS must be a comma-separated list of at least one id, got " , "; ' +
        'DEFAULT_USE_SPOT must be true or false, got "yes"; MAX_SHARDS must be a positive integer, got "0"; MAX_CONCURRENCY is not set',
    );
  });

  it('needs only the table and bucket for finalize, finish-reindex and mark-failed', () => {
    expect(storageConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b' })).toEqual({ tableName: 't', bucketName: 'b' });
    expect(() => storageConfig({ TABLE_NAME: 't' })).toThrow('BUCKET_NAME is not set');
  });

  it('requires real state machine ARNs for the stale-lock paths', () => {
    const env = {
      TABLE_NAME: 't',
      BUCKET_NAME: 'b',
      ADD_MEDIA_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:AddMedia-x1',
      REINDEX_STATE_MACHINE_ARN: 'Reindex',
    };
    expect(() => recoveryConfig(env)).toThrow(/REINDEX_STATE_MACHINE_ARN must be a state machine ARN .* got "Reindex"/);
    expect(
      recoveryConfig({ ...env, REINDEX_STATE_MACHINE_ARN: env.ADD_MEDIA_STATE_MACHINE_ARN }).reindexStateMachineArn,
    ).toBe(env.ADD_MEDIA_STATE_MACHINE_ARN);
  });
});
