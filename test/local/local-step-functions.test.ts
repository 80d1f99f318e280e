import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readableFailure } from '../../core/pipeline/failure-message';
import { LocalStepFunctions } from '../../local/sfn/local-step-functions';
import { type RunningSfnEndpoint, startSfnEndpoint } from '../../local/sfn/sfn-endpoint';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/servers';

const MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:add-media';
const STRATEGY_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:strategy';

// One ECS task whose capacity strategy comes from the input, caught by a States.ALL Catch.
const STRATEGY_DEFINITION = {
  StartAt: 'Run',
  States: {
    Run: {
      Type: 'Task',
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      Parameters: {
        'CapacityProviderStrategy.$': '$.strategy',
        Overrides: {
          ContainerOverrides: [
            {
              Name: 'worker',
              Environment: [
                { Name: 'TASK', Value: 'embed' },
                { Name: 'SHARD_INDEX', Value: '5' },
              ],
            },
          ],
        },
      },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }],
      End: true,
    },
    MarkFailed: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'mark-failed', 'Payload.$': '$' },
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

// A fake repository root whose workers/main.ts records what it was started with, then fails, sleeps or succeeds.
const WORKER = `
import { writeFileSync } from 'node:fs';
const shard = process.env.SHARD_INDEX;
writeFileSync(process.env.OUT_DIR + '/' + shard + '.json', JSON.stringify({ argv: process.argv.slice(2), env: process.env, pid: process.pid }));
if (shard === process.env.FAIL_SHARD) { console.error('some noise'); console.error(JSON.stringify({ error: 'shard ' + shard + ' is corrupt' })); process.exit(1); }
if (shard === process.env.SLOW_SHARD) setTimeout(() => undefined, 60_000);
`;

function definition(): StateMachineDefinition {
  return {
    StartAt: 'Plan',
    States: {
      Plan: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:plan', 'Payload.$': '$' },
        ResultSelector: { 'shards.$': '$.Payload.shards' },
        ResultPath: '$.plan',
        Next: 'Embed',
      },
      Embed: {
        Type: 'Map',
        ItemsPath: '$.plan.shards',
        MaxConcurrency: 2,
        ItemSelector: { 'shard.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          StartAt: 'EmbedShard',
          States: {
            EmbedShard: {
              Type: 'Task',
              Resource: 'arn:aws:states:::ecs:runTask.sync',
              Parameters: {
                Cluster: 'local',
                TaskDefinition: 'local-gpu',
                CapacityProviderStrategy: [{ CapacityProvider: 'local-gpu-spot', Weight: 1 }],
                Overrides: {
                  ContainerOverrides: [
                    {
                      Name: 'worker',
                      Environment: [
                        { Name: 'TASK', Value: 'embed' },
                        { Name: 'SHARD_INDEX', 'Value.$': "States.Format('{}', $.shard)" },
                      ],
                    },
                  ],
                },
              },
              End: true,
            },
          },
        },
        ResultPath: null,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }],
        Next: 'Record',
      },
      Record: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'record', 'Payload.$': '$$.Execution.Name' },
        ResultPath: null,
        End: true,
      },
      MarkFailed: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'mark-failed', 'Payload.$': '$' },
        Next: 'Failed',
      },
      Failed: { Type: 'Fail', Error: 'PipelineFailed', Cause: 'see mark-failed' },
    },
  } as unknown as StateMachineDefinition;
}

let repoRoot: string;
let outDir: string;
let endpoint: RunningSfnEndpoint;
let stepFunctions: LocalStepFunctions;
let sfn: SFNClient;
const recorded: unknown[] = [];
const markFailedEvents: unknown[] = [];
const closed: string[] = [];

beforeAll(async () => {
  repoRoot = mkdtempSync(join(tmpdir(), 'local-sfn-'));
  outDir = join(repoRoot, 'out');
  mkdirSync(join(repoRoot, 'workers'));
  mkdirSync(outDir);
  writeFileSync(join(repoRoot, 'workers', 'main.ts'), WORKER);
  const handlers: Record<string, (event: unknown) => Promise<unknown>> = {
    plan: async (event) => ({ shards: (event as { shards: number[] }).shards }),
    record: async (event) => {
      recorded.push(event);
      return {};
    },
    'mark-failed': async (event) => {
      markFailedEvents.push(event);
      return { released: true };
    },
  };
  stepFunctions = new LocalStepFunctions(
    [
      { arn: MACHINE_ARN, definition: definition() },
      { arn: STRATEGY_MACHINE_ARN, definition: STRATEGY_DEFINITION },
    ],
    {
      services: {
        resolveLambda: async (name) => handlers[name]!,
        worker: {
          repoRoot,
          baseEnvironment: {
            PATH: process.env.PATH!,
            OUT_DIR: outDir,
            FAIL_SHARD: '7',
            SLOW_SHARD: '9',
            BUCKET_NAME: 'b',
          },
          taskDefinitionEnvironment: {
            'local-gpu': { EXECUTION_PROVIDER: 'cuda', TASK: 'overridden' },
            'local-cpu': { EXECUTION_PROVIDER: 'cpu' },
          },
        },
      },
      log: () => undefined,
      onExecutionClosed: async (execution) => void closed.push(`${execution.name}:${execution.status}`),
    },
  );
  endpoint = await startSfnEndpoint(stepFunctions);
  sfn = new SFNClient({ endpoint: endpoint.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
});

afterAll(async () => {
  await stepFunctions.stopAll();
  await endpoint.stop();
  rmSync(repoRoot, { recursive: true, force: true });
});

async function waitForEnd(executionArn: string) {
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const workerRecord = (shard: number) =>
  JSON.parse(readFileSync(join(outDir, `${shard}.json`), 'utf8')) as {
    argv: string[];
    env: Record<string, string>;
    pid: number;
  };

describe('local Step Functions (SDK endpoint + ASL executed in process)', () => {
  it('runs Lambda and ECS tasks; workers get exactly the container environment (task definition + overrides)', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: MACHINE_ARN,
        name: 'op-ok',
        input: JSON.stringify({ shards: [0, 1, 2] }),
      }),
    );
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:add-media:op-ok');

    const execution = await waitForEnd(started.executionArn!);

    expect(execution.status).toBe('SUCCEEDED');
    for (const shard of [0, 1, 2]) {
      const { argv, env } = workerRecord(shard);
      expect(argv).toEqual(['embed']);
      expect(env).toEqual({
        ...{ PATH: process.env.PATH, OUT_DIR: outDir, FAIL_SHARD: '7', SLOW_SHARD: '9', BUCKET_NAME: 'b' },
        EXECUTION_PROVIDER: 'cuda',
        TASK: 'embed',
        SHARD_INDEX: String(shard),
      });
    }
    expect(recorded).toContain('op-ok');
    expect(closed).toContain('op-ok:SUCCEEDED');
  });

  it('is idempotent on the execution name and refuses the same name with another input', async () => {
    const input = JSON.stringify({ shards: [3] });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'op-same', input }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'op-same', input }));
    expect(again.executionArn).toBe(first.executionArn);
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: MACHINE_ARN,
          name: 'op-same',
          input: JSON.stringify({ shards: [4] }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await waitForEnd(first.executionArn!);
  });

  it('fails a worker that exits non-zero with an ECS-like cause carrying its error line, caught by the ASL', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: MACHINE_ARN,
        name: 'op-fail',
        input: JSON.stringify({ shards: [7] }),
      }),
    );

    const execution = await waitForEnd(started.executionArn!);

    expect(execution).toMatchObject({ status: 'FAILED', error: 'PipelineFailed', cause: 'see mark-failed' });
    const event = markFailedEvents.at(-1) as { error: { Error: string; Cause: string } };
    expect(event.error.Error).toBe('States.TaskFailed');
    const task = JSON.parse(event.error.Cause) as {
      StopCode: string;
      Containers: { ExitCode: number }[];
      CapacityProviderName: string;
    };
    expect(task).toMatchObject({
      StopCode: 'EssentialContainerExited',
      CapacityProviderName: 'local-gpu-spot',
      Containers: [{ ExitCode: 1 }],
    });
    expect(readableFailure(event.error)).toBe('shard 7 is corrupt');
    expect(closed).toContain('op-fail:FAILED');
  });

  it('StopExecution aborts the execution and stops its running worker', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: MACHINE_ARN,
        name: 'op-stop',
        input: JSON.stringify({ shards: [9] }),
      }),
    );
    while (!readdirSync(outDir).includes('9.json')) await new Promise((resolve) => setTimeout(resolve, 50));
    const { pid } = workerRecord(9);

    await sfn.send(
      new StopExecutionCommand({ executionArn: started.executionArn, error: 'Stopped', cause: 'by test' }),
    );
    const execution = await waitForEnd(started.executionArn!);

    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Stopped', cause: 'by test' });
    await stepFunctions.stopAll();
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('fails the execution, past any Catch, on ECS parameters Step Functions does not accept (camelCase strategy)', async () => {
    const before = markFailedEvents.length;
    const ok = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: STRATEGY_MACHINE_ARN,
        name: 'pascal',
        input: JSON.stringify({ strategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] }),
      }),
    );
    expect((await waitForEnd(ok.executionArn!)).status).toBe('SUCCEEDED');

    const bad = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: STRATEGY_MACHINE_ARN,
        name: 'camel',
        input: JSON.stringify({ strategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }),
      }),
    );
    const execution = await waitForEnd(bad.executionArn!);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('States.Runtime');
    expect(execution.cause).toContain('"capacityProvider", "weight"');
    expect(markFailedEvents.length).toBe(before);
  });

  it('answers unknown machines and executions with the Step Functions error names', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE_ARN}-nope`, name: 'x', input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      sfn.send(
        new DescribeExecutionCommand({ executionArn: `${MACHINE_ARN.replace('stateMachine', 'execution')}:missing` }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });
});
