import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  OPERATION_EVENT_DETAIL_TYPES,
  OPERATION_EVENT_SOURCE,
  type OperationEndEvent,
  type OperationEventSink,
} from './operation-events';

type Log = (message: string, details: Record<string, unknown>) => void;

/** The PutEvents entry of an event on `busName`. */
const putEventsEntry = (event: OperationEndEvent, busName: string): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: OPERATION_EVENT_SOURCE,
  DetailType: OPERATION_EVENT_DETAIL_TYPES[event.detail.status],
  Detail: JSON.stringify(event.detail),
  Time: event.time,
});

/**
 * In the cloud: one PutEvents per event, with the SDK's retries. An event still refused is logged as an error and not
 * thrown: the operation has ended and is recorded, and failing the step would only fail its execution after the fact.
 */
function eventBridgeSink(client: EventBridgeClient, busName: string, logError: Log): OperationEventSink {
  return async (event) => {
    const context = { operation_id: event.detail.operation_id, dataset_id: event.detail.dataset_id };
    try {
      const result = await client.send(new PutEventsCommand({ Entries: [putEventsEntry(event, busName)] }));
      const failed = result.Entries?.find((entry) => entry.ErrorCode);
      if (result.FailedEntryCount || failed)
        logError('Operation event not published', {
          ...context,
          error: `${failed?.ErrorCode}: ${failed?.ErrorMessage}`,
        });
    } catch (error) {
      logError('Operation event not published', { ...context, error: (error as Error).message });
    }
  };
}

/** With no bus (the local service): the event as a log line, the same entry it would have published. */
const loggedSink =
  (log: Log): OperationEventSink =>
  async (event) => {
    const entry = putEventsEntry(event, '(none)');
    log('Operation ended', { source: entry.Source, detail_type: entry.DetailType, detail: event.detail });
  };

/** What the pipeline Lambdas publish with: EventBridge when OPERATION_EVENT_BUS is set, else a log line. */
export function operationEventSink(busName: string | undefined, logger: { info: Log; error: Log }): OperationEventSink {
  return busName
    ? eventBridgeSink(new EventBridgeClient({}), busName, (message, details) => logger.error(message, details))
    : loggedSink((message, details) => logger.info(message, details));
}
