import type { EnvSource } from './runtime/env';
import { exitWithFailure, reportFailure, WorkerError } from './runtime/failure';

/**
 * Entry point of every worker container and local worker process: `tsx workers/main.ts <task>` (or TASK=<task>). Exit 0 on
 * success; on failure one `{"error": "..."}` line on stderr and exit 1 (docs/pipeline.md).
 */

/** A worker task: reads its environment, does its work, throws on failure. */
export interface WorkerTask {
  run(env: EnvSource): Promise<unknown>;
}

/** Tasks by name. Adding one is one line; each is loaded only when it runs, so one task's dependencies never slow another. */
const TASKS: Readonly<Record<string, () => Promise<WorkerTask>>> = {
  discover: () => import('./discover/run'),
  embed: () => import('./embed/run'),
  assign: () => import('./assign/run'),
  cluster: () => import('./cluster/run'),
};

/** The task named by argv[2] or TASK (they must agree when both are given). */
function taskName(argv: readonly string[], env: EnvSource): string {
  const fromArgv = argv[2];
  const fromEnv = env.TASK;
  if (fromArgv && fromEnv && fromArgv !== fromEnv)
    throw new WorkerError(`Task mismatch: argv names ${fromArgv}, TASK is ${fromEnv}`);
  const name = fromArgv ?? fromEnv;
  if (!name)
    throw new WorkerError(
      `No task given: pass one of ${Object.keys(TASKS).join(', ')} as the first argument or in TASK`,
    );
  return name;
}

async function runTask(name: string, env: EnvSource): Promise<void> {
  const load = Object.hasOwn(TASKS, name) ? TASKS[name] : undefined;
  if (!load)
    throw new WorkerError(`Unknown task ${JSON.stringify(name)}; known tasks: ${Object.keys(TASKS).join(', ')}`);
  await (await load()).run(env);
}

async function main(): Promise<void> {
  await runTask(taskName(process.argv, process.env), process.env);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await reportFailure(error, process.env);
    exitWithFailure(error);
  },
);
