import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionRecord } from '../sfn/local-step-functions';
import { lambdaContext, loadLambdaHandler } from './lambda-handlers';

/** Waits between attempts: doubling from 1 s up to 30 s, about 10 minutes in all (the cloud retries, then sweeps). */
const RETRY_DELAYS_MS = [1, 2, 4, 8, 16, ...Array<number>(19).fill(30)].map((seconds) => seconds * 1000);

/**
 * The EventBridge "Step Functions Execution Status Change" event, handed to the same stale-lock Lambda as in the cloud.
 * When the release itself fails (a full or read-only DATA_DIR refuses the very write that records the failure), it is
 * tried again, as the cloud's asynchronous invocation and sweeper would, until it succeeds or the service stops.
 */
export async function forwardStatusChange(
  execution: ExecutionRecord,
  region: string,
  log: (message: string) => void,
  stopping: AbortSignal,
): Promise<void> {
  if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status)) return;
  const id = randomUUID();
  const event = {
    version: '0',
    id,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '000000000000',
    time: new Date().toISOString(),
    region,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime(),
      stopDate: execution.stopDate?.getTime() ?? null,
      input: execution.input,
      output: null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    },
  };
  const handler = await loadLambdaHandler('stale-lock');
  for (const delay of [0, ...RETRY_DELAYS_MS]) {
    try {
      if (delay) await sleep(delay, undefined, { signal: stopping });
      const outcome = (await handler(event, lambdaContext('stale-lock', id))) as { recovered: boolean };
      if (outcome.recovered) log(`[${execution.name}] released the lock its ${execution.status} execution left behind`);
      return;
    } catch (error) {
      if (stopping.aborted) return; // the next start recovers the lock
      log(`[${execution.name}] could not release the lock yet (${String(error)}); trying again`);
    }
  }
  log(`[${execution.name}] gave up releasing the lock; the next start recovers it`);
}
