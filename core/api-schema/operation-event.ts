import * as z from 'zod/mini';
import { OPERATION_EVENT_DETAIL_TYPES, OPERATION_EVENT_SOURCE } from '../pipeline/operation-events';
import { OperationBody } from './response-bodies';

/**
 * The `detail` of an operation-end event: the operation as GET /api/v1/dataset/{id}/operations/{operation_id} shows it
 * once ended, and the status the dataset was left in. docs/operation-event.schema.json is generated from it.
 */
const OperationEventDetailBody = z.extend(OperationBody, {
  status: z.enum(['SUCCEEDED', 'FAILED']),
  dataset_status: z.enum(['READY', 'PENDING_INDEX', 'INDEXING', 'UPDATING', 'ERROR']),
  dataset_status_new: z.enum(['READY', 'READ ONLY', 'PARTIAL INDEX', 'INDEXING', 'ERROR']),
});

export type OperationEventDetail = z.output<typeof OperationEventDetailBody>;

/** The JSON Schema (2020-12) of the detail, as committed in docs/operation-event.schema.json. */
export const operationEventSchemaText = (): string =>
  `${JSON.stringify(
    {
      ...z.toJSONSchema(OperationEventDetailBody),
      title: `${OPERATION_EVENT_SOURCE} operation-end event detail`,
      description: `The detail of the EventBridge events of source "${OPERATION_EVENT_SOURCE}", detail-type "${OPERATION_EVENT_DETAIL_TYPES.SUCCEEDED}" or "${OPERATION_EVENT_DETAIL_TYPES.FAILED}" (docs/API.md, Events)`,
    },
    null,
    2,
  )}\n`;
