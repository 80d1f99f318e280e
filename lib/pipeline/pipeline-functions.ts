import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bindTable, createFunction, lambdaEntry } from '../base-function';
import type { DeploymentConfig } from '../config';
import { STAGING_PREFIX } from '../media-bucket';
import type { PipelineCompute } from './compute';
import { acknowledge, arnReference } from './nag-references';
import { publishOperationEvents } from './operation-events';
import { DATASETS_PREFIX, type WorkerTasks } from './worker-tasks';

export interface PipelineFunctionsProps {
  readonly table: dynamodb.ITableV2 | dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly config: DeploymentConfig;
  readonly compute: PipelineCompute;
  readonly tasks: WorkerTasks;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * The Lambda steps of the state machines (lambdas/plan, finalize, finish-reindex, mark-failed). Each gets the table,
 * BUCKET_NAME and only the S3 actions its step performs; plan also gets what the planner chooses between (capacity
 * providers, task definitions, network) and the deployment's limits.
 */
export class PipelineFunctions extends Construct {
  readonly plan: LambdaFunction;
  readonly finalize: LambdaFunction;
  readonly finishReindex: LambdaFunction;
  readonly markFailed: LambdaFunction;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const { table, bucket, config, compute, tasks } = props;
    const stepFunction = (
      fnId: string,
      name: string,
      description: string,
      options: { timeout: Duration; memorySize?: number },
    ) => {
      const fn = createFunction(this, fnId, {
        entry: lambdaEntry(name),
        description,
        serviceName: name,
        logRetention: config.logRetention,
        timeout: options.timeout,
        memorySize: options.memorySize,
        environment: { BUCKET_NAME: bucket.bucketName },
      });
      bindTable(fn, table, 'readWrite');
      acknowledgeStepFunction(fn, table);
      return fn;
    };

    this.plan = stepFunction('Plan', 'plan', 'Pipeline step: sizes a batch into shards, device and capacity', {
      timeout: Duration.seconds(60),
    });
    grantObjects(this.plan, bucket, ['s3:GetObject', 's3:PutObject'], DATASETS_PREFIX);
    const planEnvironment: Record<string, string> = {
      GPU_SPOT_CAPACITY_PROVIDER: compute.gpuSpotCapacityProvider.capacityProviderName,
      GPU_ON_DEMAND_CAPACITY_PROVIDER: compute.gpuOnDemandCapacityProvider.capacityProviderName,
      GPU_TASK_DEFINITION_ARN: tasks.gpuTaskDefinition.taskDefinitionArn,
      CPU_TASK_DEFINITION_ARN: tasks.cpuTaskDefinition.taskDefinitionArn,
      SUBNET_IDS: props.subnets.map((subnet) => subnet.subnetId).join(','),
      SECURITY_GROUP_IDS: props.securityGroup.securityGroupId,
      DEFAULT_USE_SPOT: String(config.useSpotDefault),
      MAX_SHARDS: String(config.maxShards),
      MAX_CONCURRENCY: String(config.maxConcurrency),
    };
    for (const [name, value] of Object.entries(planEnvironment)) this.plan.addEnvironment(name, value);

    this.finalize = stepFunction('Finalize', 'finalize', 'Pipeline step: commits an added batch', {
      timeout: Duration.seconds(60),
    });
    grantObjects(this.finalize, bucket, ['s3:GetObject'], DATASETS_PREFIX);
    publishOperationEvents(this.finalize);

    this.finishReindex = stepFunction('FinishReindex', 'finish-reindex', 'Pipeline step: commits a new clustering', {
      timeout: Duration.seconds(60),
    });
    publishOperationEvents(this.finishReindex);

    this.markFailed = stepFunction(
      'MarkFailed',
      'mark-failed',
      'Pipeline step: marks a failed operation and removes what it left',
      {
        timeout: Duration.minutes(15),
        memorySize: 1024,
      },
    );
    grantOperationCleanup(this.markFailed, bucket);
    publishOperationEvents(this.markFailed);
    // The worker's own failure message (core/pipeline/worker-error-report.ts), read before cleanup removes it.
    this.markFailed.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadWorkerErrorReports',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${DATASETS_PREFIX}*/batches/*/errors/*`)],
      }),
    );
    acknowledge(
      this.markFailed.role!,
      `AwsSolutions-IAM5[Resource::${arnReference(bucket)}/${DATASETS_PREFIX}*/batches/*/errors/*]`,
      'Reads only the error reports workers leave under datasets/{dataset}/batches/{operation}/errors/, whose names depend on the failing step.',
    );
  }

  get all(): LambdaFunction[] {
    return [this.plan, this.finalize, this.finishReindex, this.markFailed];
  }
}

/**
 * What removing a failed operation's artefacts takes (core/pipeline/batch-cleanup.ts): list and delete under the
 * operation's datasets/ and staging/ prefixes. No read.
 */
export function grantOperationCleanup(fn: LambdaFunction, bucket: s3.IBucket): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${DATASETS_PREFIX}*`, `${STAGING_PREFIX}*`] } },
    }),
  );
  grantObjects(fn, bucket, ['s3:DeleteObject'], DATASETS_PREFIX, STAGING_PREFIX);
}

function grantObjects(fn: LambdaFunction, bucket: s3.IBucket, actions: string[], ...prefixes: string[]): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions, resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)) }),
  );
  bucket.encryptionKey?.grantEncryptDecrypt(fn);
  for (const prefix of prefixes) {
    acknowledge(
      fn.role!,
      `AwsSolutions-IAM5[Resource::${arnReference(bucket)}/${prefix}*]`,
      `Pipeline artefacts live under ${prefix}{dataset}/{operation}/ with generated keys; the function acts on one operation's keys only.`,
    );
  }
}

/** Findings every pipeline function carries by design. */
function acknowledgeStepFunction(fn: LambdaFunction, table: dynamodb.ITableV2 | dynamodb.ITable): void {
  acknowledge(
    fn,
    'Serverless-LambdaDLQ',
    'Invoked synchronously by Step Functions: a failure reaches the state machine, which retries and then marks the operation failed.',
  );
  acknowledgeLambdaRole(fn, table);
}

/** The wildcard resource of any pipeline function role: the table's indexes. */
export function acknowledgeLambdaRole(fn: LambdaFunction, table: dynamodb.ITableV2 | dynamodb.ITable): void {
  acknowledge(
    fn.role!,
    `AwsSolutions-IAM5[Resource::${arnReference(table)}/index/*]`,
    'Queries go through the indexes of this one table only; the index ARN wildcard is how DynamoDB grants index access.',
  );
}
