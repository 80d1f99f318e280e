import type { OperationEventDetail } from '../api-schema/operation-event';
import type { LastOperation } from '../datasets/dataset-record';
import { type DatasetStatus, statusNew } from '../datasets/dataset-status';
import { toOperationView } from '../datasets/operation-view';

/** Where the events come from and what they are called on the bus (docs/API.md "Events"). */
export const OPERATION_EVENT_SOURCE = 'add-media-api';
export const OPERATION_EVENT_DETAIL_TYPES = { SUCCEEDED: 'Operation Succeeded', FAILED: 'Operation Failed' } as const;

/** One operation-end event (docs/API.md "Events"): what a sink publishes. */
export interface OperationEndEvent {
  readonly detail: OperationEventDetail;
  /** When the operation ended. */
  readonly time: Date;
}

/** Publishes an operation-end event; never throws (the operation has ended whatever becomes of its event). */
export type OperationEventSink = (event: OperationEndEvent) => Promise<void>;

/** The event of an operation that ended (`operation.status` SUCCEEDED or FAILED), leaving the dataset in `datasetStatus`. */
export function operationEndEvent(
  datasetId: string,
  operation: LastOperation,
  datasetStatus: DatasetStatus,
): OperationEndEvent {
  if (operation.status === 'RUNNING') throw new Error(`Operation ${operation.operation_id} has not ended`);
  const view = toOperationView(datasetId, operation, undefined);
  return {
    detail: {
      ...view,
      status: operation.status,
      dataset_status: datasetStatus,
      dataset_status_new: statusNew(datasetStatus),
    },
    time: new Date(view.finished_at ?? view.started_at),
  };
}
