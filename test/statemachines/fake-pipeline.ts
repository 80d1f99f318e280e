import { fileURLToPath } from 'node:url';
import { type CountedBatch, type PlannerDeployment, planCompute } from '../../core/pipeline/planner';
import { type RecordedCall, TaskFailure, type TaskHandler } from '../support/asl-runner';

/**
 * Stand-ins for what the state machines call, for executing the ASL locally: the pipeline Lambdas answer like the
 * real ones (plan runs the real planner), ECS RunTask checks its parameters the way Step Functions + ECS would and
 * "runs" the worker named by TASK, failing on demand.
 */

export const ADD_MEDIA_ASL = fileURLToPath(new URL('../../statemachines/add-media.asl.json', import.meta.url));
export const REINDEX_ASL = fileURLToPath(new URL('../../statemachines/reindex.asl.json', import.meta.url));

const ECS_RUN_TASK_SYNC = 'arn:aws:states:::ecs:runTask.sync';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

const ARN = 'arn:aws:%s:eu-west-1:123456789012:%s';
const arn = (service: string, resource: string) => ARN.replace('%s', service).replace('%s', resource);

export const FUNCTIONS = {
  plan: arn('lambda', 'function:pipeline-plan'),
  finalize: arn('lambda', 'function:pipeline-finalize'),
  finishReindex: arn('lambda', 'function:pipeline-finish-reindex'),
  markFailed: arn('lambda', 'function:pipeline-mark-failed'),
} as const;

export const DEPLOYMENT: PlannerDeployment = {
  defaultUseSpot: true,
  maxShards: 200,
  maxConcurrency: 2,
  gpuSpotCapacityProvider: 'gpu-spot',
  gpuOnDemandCapacityProvider: 'gpu-on-demand',
  gpuTaskDefinitionArn: arn('ecs', 'task-definition/worker-gpu:4'),
  cpuTaskDefinitionArn: arn('ecs', 'task-definition/worker-cpu:9'),
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-tasks'],
};

/** Values for every placeholder of both files, as the Workflows construct provides them (by name). */
export const SUBSTITUTIONS: Readonly<Record<string, string>> = {
  ClusterArn: arn('ecs', 'cluster/pipeline'),
  CpuTaskDefinitionArn: DEPLOYMENT.cpuTaskDefinitionArn,
  SubnetIds: DEPLOYMENT.subnetIds.join(','),
  SecurityGroupIds: DEPLOYMENT.securityGroupIds.join(','),
  AssignCpu: '8192',
  AssignMemory: '61440',
  ClusterCpu: '16384',
  ClusterMemory: '122880',
  PlanFunctionArn: FUNCTIONS.plan,
  FinalizeFunctionArn: FUNCTIONS.finalize,
  FinishReindexFunctionArn: FUNCTIONS.finishReindex,
  MarkFailedFunctionArn: FUNCTIONS.markFailed,
};

export const EMBEDDING_CONFIG = {
  model_id: 'clip-vit-b32',
  dimension: 512,
  input_size: 224,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
  version: '1',
};

export function addMediaInput(overrides: Record<string, unknown> = {}) {
  return {
    dataset_id: 'ds-1',
    operation_id: 'op-1',
    operation: 'add_media',
    task_type: 'MEDIA_ADDITION',
    caller: 'user-sub-1',
    source: { kind: 's3_uri', uri: 's3://their-bucket/photos/' },
    auto_reindex: false,
    assume_role: 'arn:aws:iam::210987654321:role/dataset-reader',
    use_spot: null,
    overrides: { batch_n_images: null, batch_n_videos: null, batch_n_objects: null },
    embedding_config: EMBEDDING_CONFIG,
    ...overrides,
  };
}

export function reindexInput(overrides: Record<string, unknown> = {}) {
  return {
    dataset_id: 'ds-1',
    operation_id: 'op-2',
    operation: 'reindex',
    task_type: 'REINDEX',
    caller: 'user-sub-1',
    use_spot: null,
    embedding_config: EMBEDDING_CONFIG,
    ...overrides,
  };
}

/** A batch of `nImages` images in manifest parts of 1000 (what discover writes). */
export function imageBatch(nImages: number, nVideos = 0): CountedBatch {
  const media = nImages + nVideos;
  return {
    n_images: nImages,
    n_videos: nVideos,
    n_objects: 0,
    n_parts: Math.ceil(media / 1000),
    total_bytes: media * 2 * 1024 * 1024,
  };
}

export interface RunTaskRequest {
  readonly Cluster: string;
  readonly TaskDefinition: string;
  readonly CapacityProviderStrategy: readonly { CapacityProvider: string; Weight?: number; Base?: number }[];
  readonly NetworkConfiguration: {
    AwsvpcConfiguration: { Subnets: string[]; SecurityGroups: string[]; AssignPublicIp?: string };
  };
  readonly Overrides: {
    readonly Cpu?: string;
    readonly Memory?: string;
    readonly ContainerOverrides: readonly { Name: string; Environment: readonly { Name: string; Value: string }[] }[];
  };
}

/** The container environment an ECS call carries, as a plain object. */
export function environmentOf(request: RunTaskRequest): Record<string, string> {
  const container = request.Overrides.ContainerOverrides[0]!;
  return Object.fromEntries(container.Environment.map(({ Name, Value }) => [Name, Value]));
}

/** What the fake ECS does with a started task: nothing (exit 0), or stop it with a DescribeTasks-like cause. */
export type TaskOutcome =
  | 'ok'
  | { readonly stopCode: string; readonly stoppedReason: string; readonly exitCode?: number }
  | { readonly failures: string[] };

export interface FakePipelineOptions {
  readonly discovery: CountedBatch;
  /** Planner limits other than DEPLOYMENT's. */
  readonly deployment?: Partial<PlannerDeployment>;
  /** Decides each ECS task's fate from its environment and capacity strategy (default: every task succeeds). */
  readonly ecs?: (environment: Record<string, string>, request: RunTaskRequest) => TaskOutcome;
  /** Makes a Lambda throw (by function key) with this error name and message. */
  readonly lambdaFailures?: Partial<Record<keyof typeof FUNCTIONS, { name: string; message: string }>>;
}

export interface FakePipeline {
  readonly resources: Record<string, TaskHandler>;
  /** Most ECS tasks that were running at the same time. */
  readonly peakConcurrentTasks: () => number;
}

/** Stopped tasks as Step Functions reports them in the Cause of a failed `runTask.sync` (DescribeTasks, PascalCase). */
export function stoppedTaskCause(request: RunTaskRequest, outcome: Exclude<TaskOutcome, 'ok'>): string {
  if ('failures' in outcome)
    return JSON.stringify({
      Failures: outcome.failures.map((Reason) => ({ Arn: request.TaskDefinition, Reason })),
      Tasks: [],
    });
  return JSON.stringify({
    TaskArn: arn('ecs', 'task/pipeline/0123456789abcdef'),
    LastStatus: 'STOPPED',
    StopCode: outcome.stopCode,
    StoppedReason: outcome.stoppedReason,
    Containers: [{ Name: 'worker', LastStatus: 'STOPPED', ExitCode: outcome.exitCode ?? 1 }],
  });
}

export function fakePipeline(options: FakePipelineOptions): FakePipeline {
  let running = 0;
  let peak = 0;
  const lambdas: Record<string, (payload: any) => unknown> = {
    [FUNCTIONS.plan]: (input) =>
      planCompute({
        counted: options.discovery,
        overrides: input.overrides,
        useSpot: input.use_spot,
        deployment: { ...DEPLOYMENT, ...options.deployment },
      }),
    [FUNCTIONS.finalize]: ({ input }) => ({ status: input.auto_reindex ? 'INDEXING' : 'PENDING_INDEX' }),
    [FUNCTIONS.finishReindex]: () => ({ status: 'READY' }),
    [FUNCTIONS.markFailed]: () => ({ released: true }),
  };

  const runTask: TaskHandler = async (request: RunTaskRequest, call) => {
    checkRunTaskRequest(request, call.state);
    running += 1;
    peak = Math.max(peak, running);
    // Let the other Map iterations start, so the peak reflects what MaxConcurrency allowed.
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
    const outcome = options.ecs?.(environmentOf(request), request) ?? 'ok';
    // Step Functions: RunTask answered with Failures (nothing placed) → AmazonECS.Unknown; a task that stopped → TaskFailed.
    if (outcome !== 'ok')
      throw new TaskFailure(
        'failures' in outcome ? 'AmazonECS.Unknown' : 'States.TaskFailed',
        stoppedTaskCause(request, outcome),
      );
    return {
      TaskArn: arn('ecs', 'task/pipeline/fedcba9876543210'),
      LastStatus: 'STOPPED',
      Containers: [{ Name: 'worker', ExitCode: 0 }],
    };
  };

  const invoke: TaskHandler = async ({ FunctionName, Payload }: { FunctionName: string; Payload: unknown }) => {
    const key = (Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]).find((name) => FUNCTIONS[name] === FunctionName);
    const lambda = lambdas[FunctionName];
    if (!key || !lambda)
      throw new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: ${FunctionName}`);
    const failure = options.lambdaFailures?.[key];
    if (failure)
      throw new TaskFailure(failure.name, JSON.stringify({ errorType: failure.name, errorMessage: failure.message }));
    // Step Functions hands the function a JSON copy and wraps its result in the lambda:invoke response.
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await lambda(JSON.parse(JSON.stringify(Payload))) };
  };

  return { resources: { [ECS_RUN_TASK_SYNC]: runTask, [LAMBDA_INVOKE]: invoke }, peakConcurrentTasks: () => peak };
}

/**
 * What Step Functions + ECS would refuse: Parameters are PascalCase all the way down, environment values are
 * strings, the cluster and network are the deployment's. A refusal fails the state like the service would.
 */
function checkRunTaskRequest(request: RunTaskRequest, state: string): void {
  const problems: string[] = [];
  const only = (what: string, value: object, allowed: string[]) => {
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) problems.push(`${what} has unsupported field ${key}`);
  };
  only('Parameters', request, [
    'Cluster',
    'TaskDefinition',
    'CapacityProviderStrategy',
    'NetworkConfiguration',
    'Overrides',
  ]);
  if (request.Cluster !== SUBSTITUTIONS.ClusterArn) problems.push(`Cluster is ${request.Cluster}`);
  if (typeof request.TaskDefinition !== 'string' || !request.TaskDefinition.includes(':task-definition/'))
    problems.push(`TaskDefinition is ${JSON.stringify(request.TaskDefinition)}`);
  if (!Array.isArray(request.CapacityProviderStrategy) || request.CapacityProviderStrategy.length === 0)
    problems.push('CapacityProviderStrategy is empty');
  for (const item of request.CapacityProviderStrategy ?? []) {
    only('CapacityProviderStrategy item', item, ['CapacityProvider', 'Weight', 'Base']);
    if (typeof item.CapacityProvider !== 'string')
      problems.push('CapacityProviderStrategy item lacks CapacityProvider');
  }
  only('NetworkConfiguration', request.NetworkConfiguration ?? {}, ['AwsvpcConfiguration']);
  const vpc = request.NetworkConfiguration?.AwsvpcConfiguration;
  only('AwsvpcConfiguration', vpc ?? {}, ['Subnets', 'SecurityGroups', 'AssignPublicIp']);
  if (JSON.stringify(vpc?.Subnets) !== JSON.stringify(DEPLOYMENT.subnetIds))
    problems.push(`Subnets are ${JSON.stringify(vpc?.Subnets)}`);
  if (JSON.stringify(vpc?.SecurityGroups) !== JSON.stringify(DEPLOYMENT.securityGroupIds))
    problems.push(`SecurityGroups are ${JSON.stringify(vpc?.SecurityGroups)}`);
  only('Overrides', request.Overrides ?? {}, ['Cpu', 'Memory', 'ContainerOverrides']);
  for (const field of ['Cpu', 'Memory'] as const) {
    const value = request.Overrides?.[field];
    if (value !== undefined && !/^\d+$/.test(value))
      problems.push(`Overrides.${field} is ${JSON.stringify(value)}, not a string of digits`);
  }
  const containers = request.Overrides?.ContainerOverrides ?? [];
  if (containers.length !== 1 || containers[0]?.Name !== 'worker')
    problems.push('ContainerOverrides must name the one container "worker"');
  for (const { Name, Value } of containers[0]?.Environment ?? [])
    if (typeof Value !== 'string') problems.push(`environment ${Name} is ${JSON.stringify(Value)}, not a string`);
  if (problems.length > 0)
    throw new TaskFailure('States.Runtime', `${state}: invalid RunTask parameters: ${problems.join('; ')}`);
}

/** Calls of one Task state, in call order. */
export const callsOf = (calls: readonly RecordedCall[], state: string) => calls.filter((call) => call.state === state);
