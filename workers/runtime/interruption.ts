import type { EventEmitter } from 'node:events';
import { type EnvSource, intEnv } from './env';

/**
 * Exit code of a worker that the platform stopped before it finished (EX_TEMPFAIL). The add-media state machine reruns
 * such a shard on on-demand capacity (statemachines/add-media.asl.json, StoppedByPlatform).
 */
export const INTERRUPTED_EXIT_CODE = 75;

/**
 * ECS sends SIGTERM and, `stopTimeout` later, SIGKILL: 120 s on the worker containers (lib/pipeline/worker-tasks.ts),
 * the same two minutes Fargate Spot gives before reclaiming. The worker keeps working for STOP_GRACE_SECONDS (default
 * 100) of them, so work that finishes still commits, and then exits on its own before SIGKILL.
 */
export function stopGraceMs(env: EnvSource): number {
  return intEnv(env, 'STOP_GRACE_SECONDS', 100, { min: 1, max: 115 }) * 1000;
}

export type WorkerOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly error: unknown }
  /** Stopped by the platform: what had been committed stays, the rest is redone by the rerun. */
  | { readonly kind: 'interrupted'; readonly error?: unknown };

export interface InterruptionOptions {
  /** Where SIGTERM arrives (the process). */
  readonly signals: Pick<EventEmitter, 'once' | 'off'>;
  readonly graceMs: number;
  readonly log?: (message: string) => void;
}

/**
 * Runs `work`, aborting its signal on SIGTERM. Work that settles within the grace period decides the outcome as usual
 * (a success is a success, a failure after the stop request counts as the interruption); work still running when the
 * grace period ends is abandoned as interrupted.
 */
export async function runInterruptibly(
  work: (signal: AbortSignal) => Promise<unknown>,
  options: InterruptionOptions,
): Promise<WorkerOutcome> {
  const stop = new AbortController();
  const { graceMs } = options;
  let timer: NodeJS.Timeout | undefined;
  let endGrace: (outcome: WorkerOutcome) => void = () => {};
  const deadline = new Promise<WorkerOutcome>((resolve) => {
    endGrace = resolve;
  });
  const onTerm = () => {
    options.log?.(`SIGTERM: finishing what can finish within ${Math.round(graceMs / 1000)} s, then exiting`);
    stop.abort(new Error('The worker was stopped (SIGTERM)'));
    timer = setTimeout(() => endGrace({ kind: 'interrupted' }), graceMs);
  };
  options.signals.once('SIGTERM', onTerm);
  const settled = work(stop.signal).then(
    (): WorkerOutcome => ({ kind: 'succeeded' }),
    (error: unknown): WorkerOutcome =>
      stop.signal.aborted ? { kind: 'interrupted', error } : { kind: 'failed', error },
  );
  try {
    return await Promise.race([settled, deadline]);
  } finally {
    clearTimeout(timer);
    options.signals.off('SIGTERM', onTerm);
  }
}
