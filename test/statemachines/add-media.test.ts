import { describe, expect, it } from 'vitest';
import { planCompute } from '../../core/pipeline/planner';
import { INTERRUPTED_EXIT_CODE } from '../../workers/runtime/interruption';
import { aslProblems, loadAsl, runAsl, TaskFailure } from '../support/asl-runner';
import {
  ADD_MEDIA_ASL,
  addMediaInput,
  callsOf,
  DEPLOYMENT,
  EMBEDDING_CONFIG,
  environmentOf,
  FUNCTIONS,
  fakePipeline,
  imageBatch,
  type RunTaskRequest,
  SUBSTITUTIONS,
  stoppedTaskCause,
} from './fake-pipeline';

const definition = loadAsl(ADD_MEDIA_ASL, SUBSTITUTIONS);
/** 120k images: a GPU plan of 3 shards over 120 manifest parts. */
const GPU_BATCH = imageBatch(120_000);

function run(
  input: Record<string, unknown>,
  options: Omit<Parameters<typeof fakePipeline>[0], 'discovery'> & { discovery?: ReturnType<typeof imageBatch> } = {},
) {
  const fake = fakePipeline({ discovery: GPU_BATCH, ...options });
  return runAsl({ definition, input, resources: fake.resources }).then((result) => ({ ...result, fake }));
}

const embedRequests = (calls: Awaited<ReturnType<typeof run>>['calls'], state = 'EmbedShard') =>
  callsOf(calls, state).map((call) => call.input as RunTaskRequest);

describe('add-media.asl.json', () => {
  it('is valid ASL', () => {
    expect(aslProblems(definition)).toEqual([]);
  });

  it('discovers, plans, embeds every shard, assigns and commits the batch without re-clustering', async () => {
    const input = addMediaInput();
    const { status, calls, fake } = await run(input);

    expect(status).toBe('SUCCEEDED');
    const order = calls.map((call) => call.state);
    expect(order[0]).toBe('Discover');
    expect(order[1]).toBe('Plan');
    expect(order.slice(2, 5).sort()).toEqual(['EmbedShard', 'EmbedShard', 'EmbedShard']);
    expect(order.slice(5)).toEqual(['Assign', 'Finalize']);

    const [discover] = callsOf(calls, 'Discover');
    expect(environmentOf(discover!.input)).toEqual({
      TASK: 'discover',
      DATASET_ID: 'ds-1',
      OPERATION_ID: 'op-1',
      SOURCE_KIND: 's3_uri',
      SOURCE_URI: 's3://their-bucket/photos/',
      ASSUME_ROLE_ARN: 'arn:aws:iam::210987654321:role/dataset-reader',
      CALLER: 'user-sub-1',
    });
    expect(discover!.input.TaskDefinition).toBe(DEPLOYMENT.cpuTaskDefinitionArn);
    expect(discover!.input.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE', Weight: 1 }]);

    expect(callsOf(calls, 'Plan')[0]!.input).toEqual({ FunctionName: FUNCTIONS.plan, Payload: input });

    const plan = planCompute({ counted: GPU_BATCH, overrides: input.overrides, useSpot: null, deployment: DEPLOYMENT });
    const shards = embedRequests(calls).sort(
      (a, b) => Number(environmentOf(a).SHARD_INDEX) - Number(environmentOf(b).SHARD_INDEX),
    );
    expect(shards.map((request) => environmentOf(request))).toEqual(
      plan.shards.map((shard) => ({
        TASK: 'embed',
        DATASET_ID: 'ds-1',
        OPERATION_ID: 'op-1',
        SHARD_INDEX: String(shard.index),
        PART_START: String(shard.part_start),
        PART_END: String(shard.part_end),
        EMBEDDING_CONFIG: expect.any(String),
        ASSUME_ROLE_ARN: 'arn:aws:iam::210987654321:role/dataset-reader',
        CALLER: 'user-sub-1',
      })),
    );
    for (const request of shards) {
      expect(JSON.parse(environmentOf(request).EMBEDDING_CONFIG!)).toEqual(EMBEDDING_CONFIG);
      expect(request.TaskDefinition).toBe(DEPLOYMENT.gpuTaskDefinitionArn);
      expect(request.NetworkConfiguration).toEqual(plan.network);
      expect(request.Overrides).toMatchObject({ Cpu: plan.cpu, Memory: plan.memory_mib });
    }
    expect(fake.peakConcurrentTasks()).toBe(plan.max_concurrency);

    expect(environmentOf(callsOf(calls, 'Assign')[0]!.input)).toEqual({
      TASK: 'assign',
      DATASET_ID: 'ds-1',
      OPERATION_ID: 'op-1',
      EMBEDDING_CONFIG: JSON.stringify(EMBEDDING_CONFIG),
    });
    expect(callsOf(calls, 'Assign')[0]!.input.Overrides).toMatchObject({
      Cpu: SUBSTITUTIONS.AssignCpu,
      Memory: SUBSTITUTIONS.AssignMemory,
    });
    expect(callsOf(calls, 'Finalize')[0]!.input).toEqual({ FunctionName: FUNCTIONS.finalize, Payload: { input } });
  });

  it('re-clusters under the operation id and commits it when auto_reindex is set', async () => {
    const input = addMediaInput({ auto_reindex: true, operation: 'initial_index', task_type: 'INITIAL_INDEX' });
    const { status, calls } = await run(input);

    expect(status).toBe('SUCCEEDED');
    expect(calls.map((call) => call.state).slice(-4)).toEqual(['Assign', 'Finalize', 'Cluster', 'FinishReindex']);
    const [cluster] = callsOf(calls, 'Cluster');
    expect(environmentOf(cluster!.input)).toEqual({
      TASK: 'cluster',
      DATASET_ID: 'ds-1',
      OPERATION_ID: 'op-1',
      NEW_CLUSTERING_ID: 'op-1',
      EMBEDDING_CONFIG: JSON.stringify(EMBEDDING_CONFIG),
    });
    expect(cluster!.input.Overrides).toMatchObject({
      Cpu: SUBSTITUTIONS.ClusterCpu,
      Memory: SUBSTITUTIONS.ClusterMemory,
    });
    expect(callsOf(calls, 'FinishReindex')[0]!.input).toEqual({
      FunctionName: FUNCTIONS.finishReindex,
      Payload: { input },
    });
  });

  it('passes an empty ASSUME_ROLE_ARN to the workers when the request names no role', async () => {
    const { status, calls } = await run(addMediaInput({ assume_role: null }));

    expect(status).toBe('SUCCEEDED');
    const ecsCalls = [...callsOf(calls, 'Discover'), ...callsOf(calls, 'EmbedShard')];
    expect(ecsCalls.map((call) => environmentOf(call.input).ASSUME_ROLE_ARN)).toEqual(['', '', '', '']);
  });

  it('hands the request overrides to the plan step, which sizes the shards from them', async () => {
    const overrides = { batch_n_images: 10_000_000, batch_n_videos: null, batch_n_objects: null };
    const { status, calls } = await run(addMediaInput({ overrides }), { discovery: imageBatch(500_000) });

    expect(status).toBe('SUCCEEDED');
    expect(callsOf(calls, 'Plan')[0]!.input.Payload.overrides).toEqual(overrides);
    // 10M image-equivalents want 200 shards; the 500 manifest parts allow them (counted alone would give 10).
    expect(callsOf(calls, 'EmbedShard')).toHaveLength(200);
  });

  it.each([
    { use_spot: true, expected: DEPLOYMENT.gpuSpotCapacityProvider },
    { use_spot: false, expected: DEPLOYMENT.gpuOnDemandCapacityProvider },
    { use_spot: null, expected: DEPLOYMENT.gpuSpotCapacityProvider },
  ])('starts every shard on $expected when use_spot is $use_spot', async ({ use_spot, expected }) => {
    const { status, calls } = await run(addMediaInput({ use_spot }));

    expect(status).toBe('SUCCEEDED');
    const strategies = embedRequests(calls).map((request) => request.CapacityProviderStrategy);
    expect(strategies).toEqual([1, 2, 3].map(() => [{ CapacityProvider: expected, Weight: 1 }]));
  });

  it.each([
    {
      why: 'a spot interruption',
      outcome: { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' },
    },
    {
      why: 'a managed instance reclaimed',
      outcome: { stopCode: 'TerminationNotice', stoppedReason: 'Instance is being terminated' },
    },
    { why: 'no GPU capacity to place the task', outcome: { failures: ['RESOURCE:GPU'] } },
    {
      why: 'no spot capacity',
      outcome: { stopCode: 'TaskFailedToStart', stoppedReason: 'Capacity is unavailable at this time.' },
    },
    {
      why: 'a task that waited in PROVISIONING and was stopped (any reason text)',
      outcome: { stopCode: 'TaskFailedToStart', stoppedReason: 'Timeout waiting for managed instance', exitCode: -1 },
    },
    {
      why: 'a managed instance drained by ECS',
      outcome: { stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Instance is being drained' },
    },
    {
      why: 'a worker that caught SIGTERM, kept its finished work and exited 75',
      outcome: {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        exitCode: INTERRUPTED_EXIT_CODE,
      },
    },
  ])('reruns a shard on on-demand capacity after $why, and the batch succeeds', async ({ outcome }) => {
    const { status, calls } = await run(addMediaInput({ use_spot: true }), {
      ecs: (env, request) =>
        env.SHARD_INDEX === '1' &&
        request.CapacityProviderStrategy[0]!.CapacityProvider === DEPLOYMENT.gpuSpotCapacityProvider
          ? outcome
          : 'ok',
    });

    expect(status).toBe('SUCCEEDED');
    const retried = embedRequests(calls, 'EmbedShardOnFallback');
    expect(retried).toHaveLength(1);
    expect(environmentOf(retried[0]!).SHARD_INDEX).toBe('1');
    expect(retried[0]!.CapacityProviderStrategy).toEqual([
      { CapacityProvider: DEPLOYMENT.gpuOnDemandCapacityProvider, Weight: 1 },
    ]);
    expect(retried[0]!.Overrides).toEqual(
      embedRequests(calls).find((request) => environmentOf(request).SHARD_INDEX === '1')!.Overrides,
    );
    expect(callsOf(calls, 'EmbedShard')).toHaveLength(3);
    expect(callsOf(calls, 'MarkFailed')).toHaveLength(0);
    expect(callsOf(calls, 'Finalize')).toHaveLength(1);
  });

  it('fails the batch when a shard fails for its own reasons: no rerun, mark-failed gets the input and the error', async () => {
    const input = addMediaInput();
    const failure = {
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      exitCode: 1,
    };
    const { status, error, calls } = await run(input, { ecs: (env) => (env.SHARD_INDEX === '2' ? failure : 'ok') });

    expect(status).toBe('FAILED');
    expect(callsOf(calls, 'EmbedShardOnFallback')).toHaveLength(0);
    expect(callsOf(calls, 'Assign')).toHaveLength(0);
    expect(callsOf(calls, 'Finalize')).toHaveLength(0);
    const failedShard = embedRequests(calls).find((request) => environmentOf(request).SHARD_INDEX === '2')!;
    const caught = { Error: 'States.TaskFailed', Cause: stoppedTaskCause(failedShard, failure) };
    expect(callsOf(calls, 'MarkFailed').map((call) => call.input)).toEqual([
      { FunctionName: FUNCTIONS.markFailed, Payload: { input, error: caught } },
    ]);
    expect(error).toEqual(caught);
  });

  it.each([
    {
      why: 'a container that ran and failed, whatever its stop reason says',
      outcome: {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Capacity is unavailable at this time. RESOURCE:GPU SpotInterruption',
        exitCode: 1,
      },
    },
    {
      why: 'a worker stopped by a person (StopTask), even when it exited 75',
      outcome: { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user', exitCode: INTERRUPTED_EXIT_CODE },
    },
  ])('does not rerun $why: the batch fails with that error', async ({ outcome }) => {
    const { status, calls } = await run(addMediaInput({ use_spot: true }), {
      ecs: (env) => (env.SHARD_INDEX === '1' ? outcome : 'ok'),
    });

    expect(status).toBe('FAILED');
    expect(callsOf(calls, 'EmbedShardOnFallback')).toHaveLength(0);
    expect(callsOf(calls, 'MarkFailed')[0]!.input.Payload.error.Error).toBe('States.TaskFailed');
  });

  it('fails the batch, without a rerun, when a task failure carries no stopped task', async () => {
    const fake = fakePipeline({ discovery: GPU_BATCH });
    const runTask = fake.resources['arn:aws:states:::ecs:runTask.sync']!;
    const resources = {
      ...fake.resources,
      'arn:aws:states:::ecs:runTask.sync': async (request: RunTaskRequest, call: Parameters<typeof runTask>[1]) => {
        if (environmentOf(request).TASK === 'embed')
          throw new TaskFailure('States.TaskFailed', 'not a task description');
        return runTask(request, call);
      },
    };
    const { status, calls, error } = await runAsl({ definition, input: addMediaInput(), resources });

    expect(status).toBe('FAILED');
    expect(callsOf(calls, 'EmbedShardOnFallback')).toHaveLength(0);
    expect(error).toEqual({ Error: 'States.TaskFailed', Cause: 'not a task description' });
  });

  it('fails the batch when the on-demand rerun fails too', async () => {
    const interrupted = { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' };
    const crashed = {
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      exitCode: 137,
    };
    const { status, calls } = await run(addMediaInput({ use_spot: true }), {
      ecs: (env, request) => {
        if (env.SHARD_INDEX !== '0') return 'ok';
        return request.CapacityProviderStrategy[0]!.CapacityProvider === DEPLOYMENT.gpuSpotCapacityProvider
          ? interrupted
          : crashed;
      },
    });

    expect(status).toBe('FAILED');
    expect(callsOf(calls, 'EmbedShardOnFallback')).toHaveLength(1);
    const [markFailed] = callsOf(calls, 'MarkFailed');
    expect(markFailed!.input.Payload.error.Cause).toContain('"ExitCode":137');
    expect(callsOf(calls, 'Finalize')).toHaveLength(0);
  });

  it.each([
    {
      step: 'Discover',
      options: {
        ecs: (env: Record<string, string>) =>
          env.TASK === 'discover'
            ? { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }
            : ('ok' as const),
      },
    },
    { step: 'Plan', options: { lambdaFailures: { plan: { name: 'RangeError', message: 'Cannot plan this batch' } } } },
    {
      step: 'Assign',
      options: {
        ecs: (env: Record<string, string>) =>
          env.TASK === 'assign'
            ? { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }
            : ('ok' as const),
      },
    },
    {
      step: 'Finalize',
      options: { lambdaFailures: { finalize: { name: 'OperationSuperseded', message: 'lock lost' } } },
    },
  ])('marks the operation failed when $step fails, and runs nothing after it', async ({ step, options }) => {
    const input = addMediaInput({ auto_reindex: true });
    const { status, calls } = await run(input, options as never);

    expect(status).toBe('FAILED');
    const states = calls.map((call) => call.state);
    expect(states.at(-1)).toBe('MarkFailed');
    expect(states.at(-2)).toBe(step);
    const markFailed = callsOf(calls, 'MarkFailed')[0]!.input;
    expect(markFailed.Payload.input).toEqual(input);
    expect(markFailed.Payload.error).toEqual(callsOf(calls, step)[0]!.error);
  });

  it('retries a throttled RunTask before giving up', async () => {
    let throttled = 0;
    const fake = fakePipeline({ discovery: GPU_BATCH });
    const runTask = fake.resources['arn:aws:states:::ecs:runTask.sync']!;
    const { status, calls } = await runAsl({
      definition,
      input: addMediaInput(),
      resources: {
        ...fake.resources,
        'arn:aws:states:::ecs:runTask.sync': (request, call) => {
          if (call.state === 'Discover' && throttled++ < 2) {
            const error = new Error(
              'Rate exceeded (Service: AmazonECS; Status Code: 400; Error Code: ThrottlingException)',
            );
            error.name = 'ECS.AmazonECSException';
            throw error;
          }
          return runTask(request, call);
        },
      },
    });

    expect(status).toBe('SUCCEEDED');
    expect(callsOf(calls, 'Discover')).toHaveLength(3);
  });
});
