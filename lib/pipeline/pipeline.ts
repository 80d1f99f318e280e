import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import { PipelineCompute } from './compute';
import { PipelineNetwork } from './network';
import { PipelineFunctions } from './pipeline-functions';
import { StaleLockRecovery } from './stale-lock-recovery';
import { WorkerTasks } from './worker-tasks';
import { Workflows } from './workflows';

export interface PipelineProps {
  readonly table: dynamodb.ITableV2 | dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly config: DeploymentConfig;
}

/**
 * The add-media and reindex workflows with everything they run on: the private network, the ECS cluster with
 * Fargate and GPU (Managed Instances) capacity, the worker image and task definitions, the Lambda steps, the
 * state machines, and the recovery of locks left by dead executions. docs/pipeline.md is the contract.
 */
export class Pipeline extends Construct {
  readonly addMediaStateMachine: sfn.IStateMachine;
  readonly reindexStateMachine: sfn.IStateMachine;
  readonly network: PipelineNetwork;
  readonly compute: PipelineCompute;
  readonly tasks: WorkerTasks;
  readonly functions: PipelineFunctions;
  readonly workflows: Workflows;
  readonly recovery: StaleLockRecovery;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { table, bucket, config } = props;
    this.node.addValidation({ validate: () => configProblems(config) });

    this.network = new PipelineNetwork(this, 'Network', {
      natGateways: config.natGateways,
      logRetention: config.logRetention,
    });
    const { vpc, workerSubnets: subnets, workerSecurityGroup: securityGroup } = this.network;
    this.compute = new PipelineCompute(this, 'Compute', {
      vpc,
      subnets,
      securityGroup,
      gpuInstance: config.gpuInstance,
    });
    this.tasks = new WorkerTasks(this, 'Tasks', { table, bucket, config });
    this.functions = new PipelineFunctions(this, 'Functions', {
      table,
      bucket,
      config,
      compute: this.compute,
      tasks: this.tasks,
      subnets,
      securityGroup,
    });
    this.workflows = new Workflows(this, 'Workflows', {
      cluster: this.compute.cluster,
      tasks: this.tasks,
      functions: this.functions,
      subnets,
      securityGroup,
      logRetention: config.logRetention,
    });
    this.addMediaStateMachine = this.workflows.addMedia;
    this.reindexStateMachine = this.workflows.reindex;
    this.recovery = new StaleLockRecovery(this, 'Recovery', {
      table,
      bucket,
      config,
      addMediaStateMachine: this.workflows.addMedia,
      reindexStateMachine: this.workflows.reindex,
    });
  }
}

/** Settings that parse on their own but cannot work together with this network. */
function configProblems(config: DeploymentConfig): string[] {
  if (config.modelUri?.startsWith('https://') && config.natGateways === 0) {
    return [
      `modelUri ${config.modelUri} is fetched over the internet, but natGateways is 0 (the workers have no route out): ` +
        'set natGateways to 1 or more, or copy the model to S3 and give its s3:// URI.',
    ];
  }
  return [];
}
