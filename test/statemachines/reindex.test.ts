import { describe, expect, it } from 'vitest';
import { aslProblems, loadAsl, runAsl } from '../support/asl-runner';
import {
  callsOf,
  DEPLOYMENT,
  EMBEDDING_CONFIG,
  environmentOf,
  FUNCTIONS,
  fakePipeline,
  imageBatch,
  REINDEX_ASL,
  reindexInput,
  SUBSTITUTIONS,
} from './fake-pipeline';

const definition = loadAsl(REINDEX_ASL, SUBSTITUTIONS);

describe('reindex.asl.json', () => {
  it('is valid ASL', () => {
    expect(aslProblems(definition)).toEqual([]);
  });

  it('clusters under the operation id on on-demand Fargate, then commits the clustering', async () => {
    const input = reindexInput({ use_spot: true });
    const fake = fakePipeline({ discovery: imageBatch(0) });
    const { status, calls } = await runAsl({ definition, input, resources: fake.resources });

    expect(status).toBe('SUCCEEDED');
    expect(calls.map((call) => call.state)).toEqual(['Cluster', 'FinishReindex']);
    const [cluster] = callsOf(calls, 'Cluster');
    expect(environmentOf(cluster!.input)).toEqual({
      TASK: 'cluster',
      DATASET_ID: 'ds-1',
      OPERATION_ID: 'op-2',
      NEW_CLUSTERING_ID: 'op-2',
      EMBEDDING_CONFIG: JSON.stringify(EMBEDDING_CONFIG),
    });
    expect(cluster!.input).toMatchObject({
      TaskDefinition: DEPLOYMENT.cpuTaskDefinitionArn,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      Overrides: { Cpu: SUBSTITUTIONS.ClusterCpu, Memory: SUBSTITUTIONS.ClusterMemory },
    });
    expect(callsOf(calls, 'FinishReindex')[0]!.input).toEqual({
      FunctionName: FUNCTIONS.finishReindex,
      Payload: { input },
    });
  });

  it('passes a null embedding_config on as the JSON text null (the worker reads it only for a dataset without one)', async () => {
    const fake = fakePipeline({ discovery: imageBatch(0) });
    const { status, calls } = await runAsl({
      definition,
      input: reindexInput({ embedding_config: null }),
      resources: fake.resources,
    });

    expect(status).toBe('SUCCEEDED');
    expect(environmentOf(callsOf(calls, 'Cluster')[0]!.input).EMBEDDING_CONFIG).toBe('null');
  });

  it('marks the operation failed with the cluster task error and does not commit', async () => {
    const input = reindexInput();
    const fake = fakePipeline({
      discovery: imageBatch(0),
      ecs: () => ({
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        exitCode: 1,
      }),
    });
    const { status, error, calls } = await runAsl({ definition, input, resources: fake.resources });

    expect(status).toBe('FAILED');
    expect(calls.map((call) => call.state)).toEqual(['Cluster', 'MarkFailed']);
    const caught = callsOf(calls, 'Cluster')[0]!.error!;
    expect(caught.Error).toBe('States.TaskFailed');
    expect(callsOf(calls, 'MarkFailed')[0]!.input).toEqual({
      FunctionName: FUNCTIONS.markFailed,
      Payload: { input, error: caught },
    });
    expect(error).toEqual(caught);
  });

  it('marks the operation failed when committing the clustering fails', async () => {
    const fake = fakePipeline({
      discovery: imageBatch(0),
      lambdaFailures: { finishReindex: { name: 'OperationSuperseded', message: 'lock lost' } },
    });
    const { status, error, calls } = await runAsl({ definition, input: reindexInput(), resources: fake.resources });

    expect(status).toBe('FAILED');
    expect(calls.map((call) => call.state)).toEqual(['Cluster', 'FinishReindex', 'MarkFailed']);
    expect(error?.Error).toBe('OperationSuperseded');
  });

  it('retries a throttled Lambda invocation', async () => {
    let attempts = 0;
    const fake = fakePipeline({ discovery: imageBatch(0) });
    const invoke = fake.resources['arn:aws:states:::lambda:invoke']!;
    const { status, calls } = await runAsl({
      definition,
      input: reindexInput(),
      resources: {
        ...fake.resources,
        'arn:aws:states:::lambda:invoke': (request, call) => {
          if (attempts++ === 0) {
            const error = new Error('Rate Exceeded.');
            error.name = 'Lambda.TooManyRequestsException';
            throw error;
          }
          return invoke(request, call);
        },
      },
    });

    expect(status).toBe('SUCCEEDED');
    expect(callsOf(calls, 'FinishReindex')).toHaveLength(2);
  });
});
