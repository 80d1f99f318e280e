import type { EnvSource } from './runtime/env';
import { exitWithFailure, reportFailure, WorkerError } from './runtime/failure';
import { INTERRUPTED_EXIT_CODE, runInterruptibly, stopGraceMs } from './runtime/interruption';

/**
 * Entry point of every worker container and local worker process: `tsx workers/main.ts <task>` (or TASK=<task>). Exit 0 on
 * success; on failure one `{"error": "..."}` line on stderr and exit 1; stopped by SIGTERM before the work finished,
 * exit 75 (docs/pipeline.md, "Stopping").
 */

/**
 * A worker task: reads its environment, does its work, throws on failure. `signal` is aborted on SIGTERM: a task that
 * can save partial work (embed's checkpoint) does so from then on; the others finish or are redone whole.
 */
type WorkerTask = (env: EnvSource, signal: AbortSignal) => Promise<unknown>;

/** Tasks by name. Adding one is one line; each is loaded only when it runs, so one task's dependencies never slow another. */
const TASKS: Readonly<Record<string, () => Promise<WorkerTask>>> = {
  discover: async () => {
    const { run } = await import('./discover/run');
    return (env) => run(env);
  },
  embed: async () => (await import('./embed/run')).run,
  assign: async () => (await import('./assign/run')).run,
  cluster: async () => (await import('./cluster/run')).run,
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

async function runTask(env: EnvSource, signal: AbortSignal): Promise<void> {
  const name = taskName(process.argv, env);
  const load = Object.hasOwn(TASKS, name) ? TASKS[name] : undefined;
  if (!load)
    throw new WorkerError(`Unknown task ${JSON.stringify(name)}; known tasks: ${Object.keys(TASKS).join(', ')}`);
  await (await load())(env, signal);
}

let graceMs = 0;
try {
  graceMs = stopGraceMs(process.env);
} catch (error) {
  exitWithFailure(error);
}
// A task keeps running after SIGTERM: whatever it finishes within the grace period (an embed shard) is committed.
const outcome = await runInterruptibly((signal) => runTask(process.env, signal), {
  signals: process,
  graceMs,
  log: (message) => process.stderr.write(`${message}\n`),
});
if (outcome.kind === 'succeeded') process.exit(0);
if (outcome.kind === 'interrupted') {
  // No error report: the rerun on on-demand capacity does the rest, and a failure of its own reports itself.
  process.stderr.write('Stopped before the work finished; what was committed stays\n');
  process.exit(INTERRUPTED_EXIT_CODE);
}
await reportFailure(outcome.error, process.env);
exitWithFailure(outcome.error);
