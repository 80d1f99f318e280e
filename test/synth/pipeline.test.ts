import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type PipelineTestStack, synthPipeline } from './pipeline-test-stack';
import { CLIP_LIKE_EMBEDDING } from './synth-app';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Sid?: string };

/** Every statement of every IAM policy (inline role policies included) in the template. */
function statements(template: Template): Statement[] {
  const documents = [
    ...Object.values(template.findResources('AWS::IAM::Policy')).map((policy) => policy.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
      (role.Properties.Policies ?? []).map((policy: { PolicyDocument: unknown }) => policy.PolicyDocument),
    ),
  ];
  return documents.flatMap((document) => document.Statement as Statement[]);
}

/** The config of a model loaded from modelUri instead of the image's: that model's own pin. */
const PINNED_ELSEWHERE = JSON.stringify({ ...CLIP_LIKE_EMBEDDING, model_sha256: 'c'.repeat(64) });
const actionsOf = (statement: Statement) => [statement.Action].flat();
const ref = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => ({
  Ref: stack.getLogicalId(construct.node.defaultChild as never),
});
const arn = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => ({
  'Fn::GetAtt': [stack.getLogicalId(construct.node.defaultChild as never), 'Arn'],
});

describe('Pipeline construct (synthesized alone, cdk-nag AwsSolutions + Serverless)', () => {
  let synthesized: PipelineTestStack;
  let template: Template;

  beforeAll(() => {
    // synthPipeline throws on any cdk-nag finding that has no written reason, and on CloudFormation schema errors.
    synthesized = synthPipeline({
      allowedAssumeRoleArns: ['arn:aws:iam::*:role/vl-*'],
      assumeRoleExternalId: 'vl-external-id',
    });
    template = synthesized.template;
  });

  it('runs GPU tasks on two ECS Managed Instances capacity providers, Spot and On-Demand, with NVIDIA instances', () => {
    const providers = template.findResources('AWS::ECS::CapacityProvider');
    expect(Object.keys(providers)).toHaveLength(2);
    const gpuRequirements = {
      AcceleratorManufacturers: ['nvidia'],
      AcceleratorTypes: ['gpu'],
      AcceleratorCount: { Min: 1, Max: 1 },
    };
    for (const capacityOptionType of ['SPOT', 'ON_DEMAND']) {
      template.hasResourceProperties('AWS::ECS::CapacityProvider', {
        ClusterName: ref(synthesized.stack, synthesized.pipeline.compute.cluster),
        ManagedInstancesProvider: {
          InstanceLaunchTemplate: {
            CapacityOptionType: capacityOptionType,
            InstanceRequirements: Match.objectLike(gpuRequirements),
            NetworkConfiguration: {
              SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('WorkerSecurityGroup'), 'GroupId'] }],
              Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('workersSubnet1') }]),
            },
          },
        },
      });
    }
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
    });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('defines a GPU task definition on Managed Instances and a Fargate CPU one, both running the worker image', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['MANAGED_INSTANCES'],
      NetworkMode: 'awsvpc',
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'worker',
          ResourceRequirements: [{ Type: 'GPU', Value: '1' }],
          Environment: Match.arrayWith([{ Name: 'EXECUTION_PROVIDER', Value: 'cuda' }]),
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      EphemeralStorage: { SizeInGiB: 200 },
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'worker',
          ResourceRequirements: Match.absent(),
          Environment: Match.arrayWith([
            { Name: 'LOCAL_PATHS_ALLOWED', Value: 'false' },
            { Name: 'ASSUME_ROLE_EXTERNAL_ID', Value: 'vl-external-id' },
            { Name: 'EXECUTION_PROVIDER', Value: 'cpu' },
          ]),
        }),
      ],
    });
    const images = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map(
      (definition) => definition.Properties.ContainerDefinitions[0].Image,
    );
    expect(new Set(images.map((image) => JSON.stringify(image))).size).toBe(1);
  });

  it('logs every state of both state machines and traces them', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines)).toHaveLength(2);
    for (const machine of Object.values(machines)) {
      expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
      expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(machine.Properties.StateMachineType).toBe('STANDARD');
      expect(machine.Properties.DefinitionS3Location).toBeDefined();
    }
  });

  it('lets only the state machines pass roles, and only the two worker roles, to ECS tasks', () => {
    const { stack, pipeline } = synthesized;
    const passRole = statements(template).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('iam:Pass')),
    );
    expect(passRole).toHaveLength(2);
    for (const statement of passRole) {
      expect(actionsOf(statement)).toEqual(['iam:PassRole']);
      expect(statement.Resource).toHaveLength(2);
      expect(statement.Resource).toEqual(
        expect.arrayContaining([arn(stack, pipeline.tasks.taskRole), arn(stack, pipeline.tasks.executionRole)]),
      );
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    }
  });

  it('lets the state machines run the worker task definitions in the pipeline cluster only', () => {
    const { stack, pipeline } = synthesized;
    const runTask = statements(template).filter((statement) => actionsOf(statement).includes('ecs:RunTask'));
    expect(runTask.map((statement) => statement.Resource)).toEqual([
      [ref(stack, pipeline.tasks.cpuTaskDefinition), ref(stack, pipeline.tasks.gpuTaskDefinition)],
      ref(stack, pipeline.tasks.cpuTaskDefinition),
    ]);
    for (const statement of runTask)
      expect(statement.Condition).toEqual({ ArnEquals: { 'ecs:cluster': arn(stack, pipeline.compute.cluster) } });
    const syncRule = statements(template).filter((statement) => actionsOf(statement).includes('events:PutRule'));
    expect(syncRule).toHaveLength(2);
    for (const statement of syncRule)
      expect(JSON.stringify(statement.Resource)).toContain(':rule/StepFunctionsGetEventsForECSTaskRule');
  });

  it('gives the worker task role datasets/* read/write, staging/* read, and the allowed source roles with the ExternalId', () => {
    const { stack, pipeline, bucket } = synthesized;
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((candidate) =>
      candidate.Properties.Roles.some(
        (role: { Ref: string }) => role.Ref === stack.getLogicalId(pipeline.tasks.taskRole.node.defaultChild as never),
      ),
    );
    const taskStatements = policy!.Properties.PolicyDocument.Statement as Statement[];
    const s3Statements = taskStatements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [arn(stack, bucket), `/${prefix}`]] });
    expect(s3Statements).toEqual([
      expect.objectContaining({
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: objects('datasets/*'),
      }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: objects('staging/*') }),
      expect.objectContaining({
        Action: 's3:ListBucket',
        Resource: arn(stack, bucket),
        Condition: { StringLike: { 's3:prefix': ['datasets/*', 'staging/*'] } },
      }),
    ]);
    const sts = taskStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sts:')));
    expect(sts).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::*:role/vl-*',
        Condition: { StringEquals: { 'sts:ExternalId': 'vl-external-id' } },
      }),
      expect.objectContaining({ Action: 'sts:SetSourceIdentity', Resource: 'arn:aws:iam::*:role/vl-*' }),
    ]);
  });

  it('sends FAILED / TIMED_OUT / ABORTED executions of both machines to the stale-lock function, with a DLQ', () => {
    const { stack, pipeline } = synthesized;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [ref(stack, pipeline.workflows.addMedia), ref(stack, pipeline.workflows.reindex)],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: arn(stack, pipeline.recovery.staleLock),
          DeadLetterConfig: { Arn: arn(stack, pipeline.recovery.deadLetterQueue) },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(stack, pipeline.recovery.staleLock),
      DestinationConfig: { OnFailure: { Destination: arn(stack, pipeline.recovery.deadLetterQueue) } },
    });
  });

  it('sweeps stale locks every 10 minutes, allowed to describe executions of the two machines only', () => {
    const { stack, pipeline } = synthesized;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(10 minutes)',
      Targets: [
        Match.objectLike({
          Arn: arn(stack, pipeline.recovery.sweeper),
          DeadLetterConfig: { Arn: arn(stack, pipeline.recovery.deadLetterQueue) },
        }),
      ],
    });
    const describe = statements(template).filter((statement) =>
      actionsOf(statement).includes('states:DescribeExecution'),
    );
    expect(describe).toHaveLength(1);
    const resources = JSON.stringify(describe[0]!.Resource);
    for (const machine of [pipeline.workflows.addMedia, pipeline.workflows.reindex]) {
      expect(resources).toContain(`"Fn::GetAtt":["${stack.getLogicalId(machine.node.defaultChild as never)}","Name"]`);
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ADD_MEDIA_STATE_MACHINE_ARN: ref(stack, pipeline.workflows.addMedia),
          REINDEX_STATE_MACHINE_ARN: ref(stack, pipeline.workflows.reindex),
          TABLE_NAME: Match.anyValue(),
          BUCKET_NAME: Match.anyValue(),
        }),
      },
    });
  });

  it('lets the functions that end operations publish on the default event bus only, and no other role publish', () => {
    const { stack, pipeline } = synthesized;
    const publish = statements(template).filter((statement) => actionsOf(statement).includes('events:PutEvents'));
    const enders = [
      pipeline.functions.finalize,
      pipeline.functions.finishReindex,
      pipeline.functions.markFailed,
      pipeline.recovery.staleLock,
      pipeline.recovery.sweeper,
    ];
    expect(publish).toHaveLength(enders.length);
    for (const statement of publish) {
      expect(actionsOf(statement)).toEqual(['events:PutEvents']);
      expect(statement.Resource).toEqual(
        stack.resolve(stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })),
      );
    }
    for (const fn of enders) {
      const id = stack.getLogicalId(fn.node.defaultChild as never);
      expect(template.toJSON().Resources[id].Properties.Environment.Variables.OPERATION_EVENT_BUS, id).toBe('default');
    }
  });

  it('gives the plan function what the planner chooses from (the Lambda environment contract)', () => {
    const { stack, pipeline } = synthesized;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: Match.anyValue(),
          BUCKET_NAME: Match.anyValue(),
          GPU_SPOT_CAPACITY_PROVIDER: ref(stack, pipeline.compute.gpuSpotCapacityProvider),
          GPU_ON_DEMAND_CAPACITY_PROVIDER: ref(stack, pipeline.compute.gpuOnDemandCapacityProvider),
          GPU_TASK_DEFINITION_ARN: ref(stack, pipeline.tasks.gpuTaskDefinition),
          CPU_TASK_DEFINITION_ARN: ref(stack, pipeline.tasks.cpuTaskDefinition),
          SUBNET_IDS: Match.anyValue(),
          SECURITY_GROUP_IDS: Match.anyValue(),
          DEFAULT_USE_SPOT: 'true',
          MAX_SHARDS: '200',
          MAX_CONCURRENCY: '20',
        }),
      },
    });
  });

  it('keeps the workers in private subnets with S3/DynamoDB gateway endpoints and the interface endpoints they need', () => {
    // Service names are com.amazonaws.<region>.<service>, the region literal or a Ref to AWS::Region.
    const serviceOf = (name: string | { 'Fn::Join': [string, unknown[]] }) =>
      (typeof name === 'string'
        ? name
        : name['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'eu-west-1')).join('')
      ).replace('com.amazonaws.eu-west-1.', '');
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((endpoint) => ({
      service: serviceOf(endpoint.Properties.ServiceName),
      type: endpoint.Properties.VpcEndpointType,
    }));
    expect(endpoints).toEqual(
      expect.arrayContaining([
        { service: 's3', type: 'Gateway' },
        { service: 'dynamodb', type: 'Gateway' },
        ...['ecr.api', 'ecr.dkr', 'logs', 'sts', 'ecs', 'ecs-agent', 'ecs-telemetry'].map((service) => ({
          service,
          type: 'Interface',
        })),
      ]),
    );
    expect(endpoints).toHaveLength(9);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Pipeline workers'),
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })],
    });
  });
});

describe('Pipeline construct options', () => {
  it('grants no sts:AssumeRole at all when no source role is allowed', () => {
    const { template } = synthPipeline();
    expect(
      statements(template).filter((statement) => actionsOf(statement).some((action) => action.startsWith('sts:'))),
    ).toEqual([]);
  });

  it('lets the workers read and list the allowed source buckets, and nothing more of them', () => {
    const { template } = synthPipeline({ sourceBucketNames: ['their-media', 'team-*-media'] });
    const granted = statements(template)
      .filter((statement) => statement.Sid?.endsWith('SourceBuckets'))
      .map((statement) => ({
        sid: statement.Sid,
        action: statement.Action,
        resources: [statement.Resource].flat().map(String).sort(),
      }));
    expect(granted).toEqual([
      {
        sid: 'ReadSourceBuckets',
        action: 's3:GetObject',
        resources: ['arn:aws:s3:::team-*-media/*', 'arn:aws:s3:::their-media/*'],
      },
      {
        sid: 'ListSourceBuckets',
        action: 's3:ListBucket',
        resources: ['arn:aws:s3:::team-*-media', 'arn:aws:s3:::their-media'],
      },
    ]);
  });

  it('bakes the configured encoder into the worker image, and warns at synth when none is configured', () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bare = synthPipeline({ workerModelUrl: undefined, workerModelSha256: undefined });
    Annotations.fromStack(bare.stack).hasWarning(
      '*',
      Match.stringLikeRegexp('workerModelUrl and workerModelSha256 are not set'),
    );
    expect(reported.mock.calls.flat().join('\n')).toContain('workerModelUrl and workerModelSha256 are not set');
    reported.mockRestore();
    const sha256 = 'a'.repeat(64);
    const baked = synthPipeline({ workerModelUrl: 'https://models.example.com/clip.onnx', workerModelSha256: sha256 });
    Annotations.fromStack(baked.stack).hasNoWarning('*', Match.stringLikeRegexp('workerModelUrl'));
    expect(baked.pipeline.tasks.image.assetHash).not.toBe(bare.pipeline.tasks.image.assetHash);
    expect(() =>
      synthPipeline({ workerModelUrl: 'https://models.example.com/clip.onnx', workerModelSha256: undefined }),
    ).toThrow(/go together/);
  });

  it('refuses an https:// modelUri without a NAT gateway, naming the fix', () => {
    expect(() =>
      synthPipeline({ modelUri: 'https://models.example.com/encoder.onnx', defaultEmbeddingConfig: PINNED_ELSEWHERE }),
    ).toThrow(/natGateways is 0.*s3:\/\//s);
  });

  it('lets the workers read an s3:// modelUri, and routes them through a NAT when natGateways is set', () => {
    const { template } = synthPipeline({
      modelUri: 's3://model-bucket/encoders/clip.onnx',
      natGateways: 1,
      defaultEmbeddingConfig: PINNED_ELSEWHERE,
    });
    const read = statements(template).find((statement) => statement.Sid === 'ModelObject');
    expect(read).toMatchObject({ Action: 's3:GetObject' });
    expect(JSON.stringify(read!.Resource)).toContain(':s3:::model-bucket/encoders/clip.onnx');
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          // Checked against the config's pin, not the image's MODEL_SHA256.
          Environment: Match.arrayWith([
            { Name: 'MODEL_URI', Value: 's3://model-bucket/encoders/clip.onnx' },
            { Name: 'MODEL_SHA256', Value: 'c'.repeat(64) },
          ]),
        }),
      ],
    });
  });
});
