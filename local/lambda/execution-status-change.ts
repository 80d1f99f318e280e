import { randomUUID } from 'node:crypto';
import type { ExecutionRecord } from '../sfn/local-step-functions';
import { lambdaContext, loadLambdaHandler } from './lambda-handlers';

/**
 * The EventBridge "Step Functions Execution Status Change" event, handed to the same stale-lock Lambda as in the cloud.
 */
export async function forwardStatusChange(
  execution: ExecutionRecord,
  region: string,
  log: (message: string) => void,
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
  const outcome = (await handler(event, lambdaContext('stale-lock', id))) as { recovered: boolean };
  if (outcome.recovered) log(`[${execution.name}] released the lock its ${execution.status} execution left behind`);
}
