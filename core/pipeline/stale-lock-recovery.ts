import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ActiveTask, DatasetRecord } from '../datasets/dataset-record';
import type { TaskType } from '../datasets/dataset-status';
import { DATASET_INDEX } from '../store/table-schema';
import type { CleanupTarget } from './batch-cleanup';
import { type CaughtError, readableFailure } from './failure-message';
import { type FailTarget, type FailureResult, failOperation } from './operation-commit';
import type { ExecutionStatusEvent } from './pipeline-events';

/**
 * No dataset stays locked by a dead execution. Two paths share this core: the EventBridge rule on execution status
 * changes (`recoverFromStatusEvent`) and the scheduled sweeper (`recoverStaleLocks`), which the local runtime also runs
 * at start. Both end in `failOperation`, fenced on the operation id, so duplicate and out-of-order signals are harmless.
 */
type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'MISSING';
type EndedStatus = Exclude<ExecutionStatus, 'RUNNING'>;

const ENDED_MESSAGES: Record<EndedStatus, string> = {
  FAILED: 'The pipeline execution failed',
  TIMED_OUT: 'The pipeline execution timed out',
  ABORTED: 'The pipeline execution was aborted',
  SUCCEEDED: 'The pipeline execution ended without releasing the dataset',
  MISSING: 'The pipeline execution never started',
};

export const RESTART_MESSAGE = 'Operation interrupted: the service restarted';

function endedMessage(status: EndedStatus, caught?: CaughtError): string {
  return caught?.Error || caught?.Cause ? readableFailure(caught) : ENDED_MESSAGES[status];
}

export interface StaleLockScan extends FailTarget {
  readonly now: Date;
  readonly executionStatus: (dataset: DatasetRecord, activeTask: ActiveTask) => Promise<ExecutionStatus>;
  /** Locks younger than this are left alone (the API takes the lock a moment before it starts the execution). */
  readonly graceMs?: number;
  readonly describe?: (status: EndedStatus, activeTask: ActiveTask) => string;
}

export interface StaleLockReport {
  readonly checked: number;
  readonly running: number;
  readonly recovered: {
    dataset_id: string;
    operation_id: string;
    execution_status: EndedStatus;
    result: FailureResult;
  }[];
  readonly errors: { dataset_id: string; operation_id: string; error: string }[];
}

/** Checks every locked dataset older than the grace period and recovers those whose execution is not running. */
export async function recoverStaleLocks(scan: StaleLockScan): Promise<StaleLockReport> {
  const cutoff = scan.now.getTime() - (scan.graceMs ?? 0);
  let checked = 0;
  let running = 0;
  const recovered: StaleLockReport['recovered'] = [];
  const errors: StaleLockReport['errors'] = [];
  for await (const dataset of lockedDatasets(scan)) {
    const task = dataset.active_task!;
    if (Date.parse(task.started_at) > cutoff) continue;
    checked++;
    try {
      const status = await scan.executionStatus(dataset, task);
      if (status === 'RUNNING') {
        running++;
        continue;
      }
      const message = scan.describe?.(status, task) ?? endedMessage(status);
      const result = await failOperation(scan, {
        datasetId: dataset.id,
        operationId: task.operation_id,
        message,
        now: scan.now,
      });
      recovered.push({ dataset_id: dataset.id, operation_id: task.operation_id, execution_status: status, result });
    } catch (error) {
      errors.push({ dataset_id: dataset.id, operation_id: task.operation_id, error: String(error) });
    }
  }
  return { checked, running, recovered, errors };
}

/** Local runtime, at start: nothing survived the restart, so every lock is stale. */
export function recoverInterruptedOperations(target: FailTarget & { readonly now: Date }): Promise<StaleLockReport> {
  return recoverStaleLocks({ ...target, executionStatus: async () => 'MISSING', describe: () => RESTART_MESSAGE });
}

async function* lockedDatasets(target: CleanupTarget): AsyncGenerator<DatasetRecord> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await target.client.send(
      new QueryCommand({
        TableName: target.tableName,
        IndexName: DATASET_INDEX.name,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: 'attribute_exists(#task)',
        ExpressionAttributeNames: { '#pk': DATASET_INDEX.partitionKey, '#task': 'active_task' },
        ExpressionAttributeValues: { ':pk': DATASET_INDEX.partitionValue },
        ExclusiveStartKey: startKey,
      }),
    );
    yield* (page.Items ?? []) as DatasetRecord[];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

export interface PipelineStateMachines {
  readonly addMedia: string;
  readonly reindex: string;
}

const stateMachineFor = (machines: PipelineStateMachines, taskType: TaskType): string =>
  taskType === 'REINDEX' ? machines.reindex : machines.addMedia;

/** Execution names are operation ids, so the ARN follows from the state machine's. */
const executionArn = (stateMachineArn: string, operationId: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${operationId}`;

/** The sweeper's view of an execution: DescribeExecution, with "does not exist" as MISSING. */
export function stepFunctionsExecutionStatus(
  sfn: SFNClient,
  machines: PipelineStateMachines,
): StaleLockScan['executionStatus'] {
  return async (_dataset, task) => {
    try {
      const execution = await sfn.send(
        new DescribeExecutionCommand({
          executionArn: executionArn(stateMachineFor(machines, task.type), task.operation_id),
        }),
      );
      // PENDING_REDRIVE: a redrive is under way, so the execution is alive.
      return execution.status === 'PENDING_REDRIVE' ? 'RUNNING' : ((execution.status ?? 'RUNNING') as ExecutionStatus);
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return 'MISSING';
      throw error;
    }
  };
}

const ENDED_EVENT_STATUSES = new Set<string>(['FAILED', 'TIMED_OUT', 'ABORTED']);

export type StatusEventOutcome =
  | {
      readonly recovered: true;
      readonly dataset_id: string;
      readonly operation_id: string;
      readonly result: FailureResult;
    }
  | { readonly recovered: false; readonly reason: string };

/** stale-lock: an execution of one of our machines ended badly → fail its operation if it still holds the lock. */
export async function recoverFromStatusEvent(
  target: FailTarget & { readonly now: Date; readonly machines: PipelineStateMachines },
  event: ExecutionStatusEvent,
): Promise<StatusEventOutcome> {
  const { detail } = event;
  if (![target.machines.addMedia, target.machines.reindex].includes(detail.stateMachineArn))
    return { recovered: false, reason: `not one of this deployment's state machines: ${detail.stateMachineArn}` };
  if (!ENDED_EVENT_STATUSES.has(detail.status))
    return { recovered: false, reason: `status ${detail.status} needs no recovery` };
  const datasetId = datasetIdOf(detail.input);
  if (!datasetId) return { recovered: false, reason: 'the event carries no execution input with a dataset_id' };

  const message = endedMessage(detail.status as EndedStatus, { Error: detail.error, Cause: detail.cause });
  const result = await failOperation(target, { datasetId, operationId: detail.name, message, now: target.now });
  return result.released
    ? { recovered: true, dataset_id: datasetId, operation_id: detail.name, result }
    : { recovered: false, reason: `operation ${detail.name} no longer holds dataset ${datasetId}` };
}

function datasetIdOf(input: string | null | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(input ?? '');
    const id = parsed && typeof parsed === 'object' ? (parsed as { dataset_id?: unknown }).dataset_id : undefined;
    return typeof id === 'string' && id ? id : undefined;
  } catch {
    return undefined;
  }
}
