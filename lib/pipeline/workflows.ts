import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../base-function';
import { acknowledge, formattedArnReference, refReference } from './nag-references';
import type { PipelineFunctions } from './pipeline-functions';
import { STEP_SIZES, type WorkerTasks } from './worker-tasks';

/** The ASL files, deployed as they are with DefinitionBody.fromFile + definitionSubstitutions. */
export const STATE_MACHINE_FILES = {
  addMedia: `${REPO_ROOT}statemachines/add-media.asl.json`,
  reindex: `${REPO_ROOT}statemachines/reindex.asl.json`,
} as const;

/** The rule Step Functions manages to learn when an ECS task of a `.sync` integration stops. */
const ECS_SYNC_RULE = 'StepFunctionsGetEventsForECSTaskRule';

interface WorkflowResources {
  readonly cluster: ecs.ICluster;
  readonly tasks: WorkerTasks;
  readonly functions: PipelineFunctions;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
}

/** Values of every `${Placeholder}` of each ASL file, by file (test/synth/placeholders.test.ts keeps both sides equal). */
function workflowSubstitutions(
  resources: WorkflowResources,
): Record<keyof typeof STATE_MACHINE_FILES, Record<string, string>> {
  const { cluster, tasks, functions } = resources;
  const common = {
    ClusterArn: cluster.clusterArn,
    CpuTaskDefinitionArn: tasks.cpuTaskDefinition.taskDefinitionArn,
    SubnetIds: resources.subnets.map((subnet) => subnet.subnetId).join(','),
    SecurityGroupIds: resources.securityGroup.securityGroupId,
    ClusterCpu: String(STEP_SIZES.cluster.cpu),
    ClusterMemory: String(STEP_SIZES.cluster.memoryMiB),
    FinishReindexFunctionArn: functions.finishReindex.functionArn,
    MarkFailedFunctionArn: functions.markFailed.functionArn,
  };
  return {
    addMedia: {
      ...common,
      AssignCpu: String(STEP_SIZES.assign.cpu),
      AssignMemory: String(STEP_SIZES.assign.memoryMiB),
      PlanFunctionArn: functions.plan.functionArn,
      FinalizeFunctionArn: functions.finalize.functionArn,
    },
    reindex: common,
  };
}

export interface WorkflowsProps extends WorkflowResources {
  readonly logRetention: logs.RetentionDays;
}

/**
 * The two state machines (Standard): every state logged (level ALL, with execution data) to a log group of their own,
 * X-Ray tracing, an alarm on failed and timed-out executions, and a role per machine that may run only the worker
 * task definitions in this cluster, pass only the worker roles, and invoke only the functions its file names.
 */
export class Workflows extends Construct {
  readonly addMedia: sfn.StateMachine;
  readonly reindex: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const substitutions = workflowSubstitutions(props);
    const { functions, tasks } = props;

    this.addMedia = this.stateMachine('AddMedia', props, {
      file: STATE_MACHINE_FILES.addMedia,
      substitutions: substitutions.addMedia,
      taskDefinitions: [tasks.cpuTaskDefinition, tasks.gpuTaskDefinition],
      functions: functions.all,
    });
    this.reindex = this.stateMachine('Reindex', props, {
      file: STATE_MACHINE_FILES.reindex,
      substitutions: substitutions.reindex,
      taskDefinitions: [tasks.cpuTaskDefinition],
      functions: [functions.finishReindex, functions.markFailed],
    });
  }

  private stateMachine(
    id: string,
    props: WorkflowsProps,
    spec: {
      file: string;
      substitutions: Record<string, string>;
      taskDefinitions: ecs.TaskDefinition[];
      functions: lambda.IFunction[];
    },
  ): sfn.StateMachine {
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `Runs the ${id} state machine: worker tasks in the pipeline cluster and the pipeline functions`,
    });
    grantWorkflowAccess(role, props, spec);

    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new sfn.StateMachine(this, id, {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(spec.file),
      definitionSubstitutions: spec.substitutions,
      role,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery (logs:CreateLogDelivery and related) and X-Ray tracing actions accept no resource-level permission.',
    );

    for (const [metricId, metric] of Object.entries({
      Failed: machine.metricFailed(),
      TimedOut: machine.metricTimedOut(),
    })) {
      new cloudwatch.Alarm(this, `${id}${metricId}Alarm`, {
        alarmDescription: `An execution of the ${id} pipeline ${metricId === 'Failed' ? 'failed' : 'timed out'} (the dataset is in ERROR)`,
        metric: metric.with({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    return machine;
  }
}

function grantWorkflowAccess(
  role: iam.Role,
  { cluster, tasks }: WorkflowsProps,
  spec: { taskDefinitions: ecs.TaskDefinition[]; functions: lambda.IFunction[] },
): void {
  const stack = Stack.of(role);
  const inCluster = { ArnEquals: { 'ecs:cluster': cluster.clusterArn } };
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'RunWorkerTasks',
      actions: ['ecs:RunTask'],
      resources: spec.taskDefinitions.map((taskDefinition) => taskDefinition.taskDefinitionArn),
      conditions: inCluster,
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'WatchWorkerTasks',
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` })],
      conditions: inCluster,
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'PassWorkerRoles',
      actions: ['iam:PassRole'],
      resources: [tasks.taskRole.roleArn, tasks.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'EcsSyncIntegrationRule',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: ECS_SYNC_RULE })],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'InvokePipelineFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: spec.functions.map((fn) => fn.functionArn),
    }),
  );
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::${formattedArnReference(role, 'ecs', `task/${refReference(cluster)}/*`)}]`,
    'DescribeTasks/StopTask on the tasks of the pipeline cluster (also conditioned on it); task ids are assigned by ECS at RunTask.',
  );
}
