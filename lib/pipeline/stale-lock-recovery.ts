import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { bindTable, createFunction, lambdaEntry } from '../base-function';
import type { DeploymentConfig } from '../config';
import { acknowledge, attributeReference, formattedArnReference } from './nag-references';
import { publishOperationEvents } from './operation-events';
import { acknowledgeLambdaRole, grantOperationCleanup } from './pipeline-functions';

export interface StaleLockRecoveryProps {
  readonly table: dynamodb.ITableV2 | dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly config: DeploymentConfig;
  readonly addMediaStateMachine: sfn.StateMachine;
  readonly reindexStateMachine: sfn.StateMachine;
}

/** Execution statuses after which nothing will release the lock the operation holds. */
const DEAD_EXECUTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
const SWEEP_INTERVAL = Duration.minutes(10);

/**
 * No dataset stays locked by a dead execution. An EventBridge rule sends every FAILED / TIMED_OUT / ABORTED status
 * change of the two state machines to lambdas/stale-lock (which releases the lock if that operation still holds it);
 * a scheduled sweeper (lambdas/sweeper) catches what the events missed (a lost event, an execution that never
 * started). Undeliverable events and failed asynchronous invocations land in one DLQ, with an alarm on it.
 */
export class StaleLockRecovery extends Construct {
  readonly staleLock: LambdaFunction;
  readonly sweeper: LambdaFunction;
  readonly executionClosedRule: events.Rule;
  readonly sweepRule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: StaleLockRecoveryProps) {
    super(scope, id);
    const { table, bucket, config, addMediaStateMachine, reindexStateMachine } = props;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      acknowledge(
        this.deadLetterQueue,
        rule,
        'This queue is the dead-letter queue of the recovery rules and functions; it has none of its own.',
      );
    }
    new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'A stale-lock recovery event or invocation failed for good: a dataset may stay locked until the next sweep',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const recoveryFunction = (fnId: string, name: string, description: string, timeout: Duration) => {
      const fn = createFunction(this, fnId, {
        entry: lambdaEntry(name),
        description,
        serviceName: name,
        logRetention: config.logRetention,
        timeout,
        memorySize: 1024,
        environment: {
          BUCKET_NAME: bucket.bucketName,
          ADD_MEDIA_STATE_MACHINE_ARN: addMediaStateMachine.stateMachineArn,
          REINDEX_STATE_MACHINE_ARN: reindexStateMachine.stateMachineArn,
        },
      });
      bindTable(fn, table, 'readWrite');
      fn.configureAsyncInvoke({ onFailure: new destinations.SqsDestination(this.deadLetterQueue), retryAttempts: 2 });
      grantOperationCleanup(fn, bucket);
      publishOperationEvents(fn);
      acknowledgeLambdaRole(fn, table);
      acknowledge(
        fn,
        'Serverless-LambdaDLQ',
        'Failed asynchronous invocations go to the on-failure destination (the recovery DLQ), which supersedes a function DLQ.',
      );
      return fn;
    };

    this.staleLock = recoveryFunction(
      'StaleLock',
      'stale-lock',
      'Releases the lock of an operation whose execution died',
      Duration.minutes(15),
    );
    this.executionClosedRule = new events.Rule(this, 'ExecutionClosed', {
      description: 'Pipeline executions that ended without releasing their lock',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: [...DEAD_EXECUTION_STATUSES],
          stateMachineArn: [addMediaStateMachine.stateMachineArn, reindexStateMachine.stateMachineArn],
        },
      },
      targets: [
        new targets.LambdaFunction(this.staleLock, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    this.sweeper = recoveryFunction(
      'Sweeper',
      'sweeper',
      'Releases locks whose execution is no longer running',
      Duration.minutes(5),
    );
    this.sweeper.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [addMediaStateMachine, reindexStateMachine].map((machine) => executionsOf(this, machine)),
      }),
    );
    acknowledgeExecutionWildcards(this.sweeper, [addMediaStateMachine, reindexStateMachine]);
    this.sweepRule = new events.Rule(this, 'Sweep', {
      description: 'Periodic check for locks held by executions that are no longer running',
      schedule: events.Schedule.rate(SWEEP_INTERVAL),
      targets: [
        new targets.LambdaFunction(this.sweeper, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(10),
        }),
      ],
    });
  }
}

/** ARN pattern of every execution of `machine` (execution names are operation ids). */
function executionsOf(scope: Construct, machine: sfn.StateMachine): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${machine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

function acknowledgeExecutionWildcards(fn: LambdaFunction, machines: sfn.StateMachine[]): void {
  for (const machine of machines) {
    acknowledge(
      fn.role!,
      `AwsSolutions-IAM5[Resource::${formattedArnReference(fn, 'states', `execution:${attributeReference(machine, 'Name')}:*`)}]`,
      'DescribeExecution on the executions of one pipeline state machine; execution names are operation ids, unknown in advance.',
    );
  }
}
