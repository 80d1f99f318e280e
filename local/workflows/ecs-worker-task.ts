import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type ExecutionScope, StatesRuntimeError, TaskError } from './execution-scope';
import type { WorkerSlots } from './worker-slots';

/** The subset of ECS RunTask parameters the state machines pass (`arn:aws:states:::ecs:runTask.sync`). */
export interface RunTaskParameters {
  readonly Cluster?: string;
  readonly TaskDefinition?: string;
  readonly LaunchType?: string;
  readonly CapacityProviderStrategy?: readonly { CapacityProvider: string; Weight?: number; Base?: number }[];
  readonly Overrides?: {
    readonly ContainerOverrides?: readonly {
      readonly Name?: string;
      readonly Environment?: readonly { Name: string; Value: string }[];
    }[];
    readonly Cpu?: string;
    readonly Memory?: string;
  };
}

export interface WorkerRuntime {
  readonly repoRoot: string;
  /** The workers bundled into JavaScript (worker-bundle.ts); without it each task runs workers/main.ts through tsx. */
  readonly bundle?: string;
  /** What every task definition gives its container locally: bucket, table, endpoints, credentials, model, PATH. */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /** What one task definition (by ARN) adds, e.g. the CPU one's EXECUTION_PROVIDER=cpu. */
  readonly taskDefinitionEnvironment?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The global cap on worker processes; unset: no cap. */
  readonly slots?: WorkerSlots;
}

const TSX_LOADER = import.meta.resolve('tsx');
const STOP_GRACE_MS = 5000;

/**
 * Runs one ECS task as a child process `workers/main.ts <TASK>` with exactly the container's environment (task definition
 * + overrides). Like `runTask.sync`, it resolves with the stopped task's description, or fails with `States.TaskFailed`
 * and that description as Cause; the container's `Reason` carries the worker's `{"error": …}` line from stderr.
 */
export async function runWorkerTask(
  runtime: WorkerRuntime,
  parameters: RunTaskParameters,
  scope: ExecutionScope,
  timeoutSeconds: number,
): Promise<Record<string, unknown>> {
  checkParameterNames(parameters);
  const container = parameters.Overrides?.ContainerOverrides?.[0];
  const overrides = Object.fromEntries((container?.Environment ?? []).map(({ Name, Value }) => [Name, Value]));
  const environment = {
    ...runtime.baseEnvironment,
    ...runtime.taskDefinitionEnvironment?.[parameters.TaskDefinition ?? ''],
    ...overrides,
  };
  const task = environment.TASK;
  if (!task) throw new TaskError('States.TaskFailed', 'ECS task has no TASK in its container environment');
  const capacity = describeCapacity(parameters);
  const label = `${task}${overrides.SHARD_INDEX !== undefined ? ` shard ${overrides.SHARD_INDEX}` : ''}`;
  const release = await waitForSlot(runtime.slots, scope, label);
  try {
    return await runStartedTask(runtime, parameters, scope, timeoutSeconds, {
      environment,
      container,
      capacity,
      label,
    });
  } finally {
    release();
  }
}

/** Like ECS capacity that is not there yet: the task is PROVISIONING until a slot frees up (its timeout not running). */
async function waitForSlot(slots: WorkerSlots | undefined, scope: ExecutionScope, label: string) {
  if (!slots) return () => undefined;
  if (!slots.available) scope.log(`worker ${label}: waiting for a worker slot`);
  try {
    return await slots.acquire(scope.signal);
  } catch {
    throw new TaskError('States.TaskFailed', 'Task stopped: the execution was stopped while waiting for a worker slot');
  }
}

async function runStartedTask(
  runtime: WorkerRuntime,
  parameters: RunTaskParameters,
  scope: ExecutionScope,
  timeoutSeconds: number,
  task: {
    readonly environment: Record<string, string>;
    readonly container: { readonly Name?: string } | undefined;
    readonly capacity: { provider?: string };
    readonly label: string;
  },
): Promise<Record<string, unknown>> {
  const { environment, container, capacity, label } = task;

  const createdAt = Date.now();
  const entry = runtime.bundle
    ? [runtime.bundle]
    : ['--import', TSX_LOADER, join(runtime.repoRoot, 'workers', 'main.ts')];
  const child = spawn(process.execPath, [...entry, environment.TASK!], {
    cwd: runtime.repoRoot,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  scope.log(`worker ${label}: started as process ${child.pid ?? '(failed to spawn)'}`);
  const errorLine = captureOutput(child, (line) => scope.log(`worker ${label}: ${line}`));
  const { code, signal, reason } = await waitForExit(child, scope.signal, timeoutSeconds * 1000);
  const exitCode = code ?? 137;
  const description = {
    TaskArn: `arn:aws:ecs:${environment.AWS_REGION ?? 'us-east-1'}:000000000000:task/local/${randomUUID()}`,
    ClusterArn: parameters.Cluster ?? 'local',
    TaskDefinitionArn: parameters.TaskDefinition ?? 'local',
    ...(capacity.provider ? { CapacityProviderName: capacity.provider } : {}),
    ...(parameters.LaunchType ? { LaunchType: parameters.LaunchType } : {}),
    Cpu: parameters.Overrides?.Cpu,
    Memory: parameters.Overrides?.Memory,
    LastStatus: 'STOPPED',
    DesiredStatus: 'STOPPED',
    StopCode: reason ? 'UserInitiated' : 'EssentialContainerExited',
    StoppedReason: reason ?? 'Essential container in task exited',
    Containers: [
      {
        Name: container?.Name ?? 'worker',
        LastStatus: 'STOPPED',
        ExitCode: exitCode,
        ...(exitCode !== 0
          ? { Reason: errorLine() ?? `${signal ? `killed by ${signal}` : `exit code ${exitCode}`}` }
          : {}),
      },
    ],
    Overrides: parameters.Overrides ?? {},
    CreatedAt: createdAt,
    StoppedAt: Date.now(),
  };
  scope.log(
    `worker ${label}: process ${child.pid} ${signal ? `killed by ${signal}` : `exited with code ${exitCode}`} after ${((Date.now() - createdAt) / 1000).toFixed(1)} s`,
  );
  if (exitCode !== 0) throw new TaskError('States.TaskFailed', JSON.stringify(description));
  return description;
}

// Field names of Step Functions' ECS integration (PascalCase, as aws-cdk-lib's EcsRunTask renders them).
const STRATEGY_FIELDS = new Set(['CapacityProvider', 'Weight', 'Base']);
const AWSVPC_FIELDS = new Set(['Subnets', 'SecurityGroups', 'AssignPublicIp']);

/** A misspelt field (e.g. the ECS API's camelCase `capacityProvider`) fails the execution, as Step Functions would. */
function checkParameterNames(parameters: RunTaskParameters): void {
  const unknown = (fields: Set<string>, object: object | undefined) =>
    Object.keys(object ?? {}).filter((key) => !fields.has(key));
  const bad = [
    ...(parameters.CapacityProviderStrategy ?? []).flatMap((item) => unknown(STRATEGY_FIELDS, item)),
    ...unknown(
      AWSVPC_FIELDS,
      (parameters as { NetworkConfiguration?: { AwsvpcConfiguration?: object } }).NetworkConfiguration
        ?.AwsvpcConfiguration,
    ),
  ];
  if (bad.length > 0) {
    throw new StatesRuntimeError(
      `The field(s) ${[...new Set(bad)].map((key) => `"${key}"`).join(', ')} are not supported by Step Functions' ECS RunTask integration`,
    );
  }
}

/** Which capacity provider ECS would use (the one with a base, else the heaviest weight), for the task description. */
function describeCapacity(parameters: RunTaskParameters): { provider?: string } {
  const strategy = [...(parameters.CapacityProviderStrategy ?? [])];
  if (strategy.length === 0) return {};
  strategy.sort((a, b) => (b.Base ?? 0) - (a.Base ?? 0) || (b.Weight ?? 0) - (a.Weight ?? 0));
  return { provider: strategy[0]!.CapacityProvider };
}

/** Relays the worker's output line by line; returns a getter for the last `{"error": …}` line it printed on stderr. */
function captureOutput(child: ChildProcess, relay: (line: string) => void): () => string | undefined {
  let lastError: string | undefined;
  createInterface({ input: child.stdout! }).on('line', relay);
  createInterface({ input: child.stderr! }).on('line', (line) => {
    relay(line);
    if (isErrorLine(line)) lastError = line.trim();
  });
  return () => lastError;
}

function isErrorLine(line: string): boolean {
  if (!line.trimStart().startsWith('{')) return false;
  try {
    const parsed = JSON.parse(line) as unknown;
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string';
  } catch {
    return false;
  }
}

function waitForExit(child: ChildProcess, abort: AbortSignal, timeoutMs: number) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; reason?: string }>((resolve, reject) => {
    let reason: string | undefined;
    const stop = (why: string) => {
      reason ??= why;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
    };
    const onAbort = () => stop('Task stopped: the execution was stopped');
    const timer = setTimeout(() => stop('Task stopped: the state timed out'), timeoutMs);
    if (abort.aborted) onAbort();
    else abort.addEventListener('abort', onAbort, { once: true });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      abort.removeEventListener('abort', onAbort);
      resolve({ code, signal, ...(reason ? { reason } : {}) });
    });
  });
}
