import type { APIGatewayProxyResult } from 'aws-lambda';
import type { CreatedDataset } from '../../core/api-schema/response-bodies';
import * as messages from '../../core/operations/api-messages';
import type { Refused, Started } from '../../core/operations/operation-result';
import type { IdempotentOutcome } from '../requests/idempotent-request';
import { refusalStatus } from './refusal-status';
import { acceptedHeaders, emptyResponse, errorResponse, httpErrorResponse, jsonResponse } from './responses';

export const refusedResponse = (refused: Refused): APIGatewayProxyResult =>
  httpErrorResponse(refusalStatus(refused.refusal));

/**
 * 202 for a started operation (empty body, or `{"id"}` for create-dataset) with `Location` and `X-Operation-Id`; a
 * refusal's status and message; 409 / 422 when an Idempotency-Key is still in use or was used for another request.
 */
export function outcomeResponse(outcome: IdempotentOutcome, body: 'empty' | 'id' = 'empty'): APIGatewayProxyResult {
  if (outcome.ok) return startedResponse(outcome, body);
  if ('idempotency' in outcome) {
    return outcome.idempotency === 'in_progress'
      ? errorResponse(409, messages.idempotencyInProgress)
      : errorResponse(422, messages.idempotencyMismatch);
  }
  return refusedResponse(outcome);
}

function startedResponse(started: Started, body: 'empty' | 'id'): APIGatewayProxyResult {
  const headers = acceptedHeaders(started.datasetId, started.operationId ?? undefined);
  return body === 'id'
    ? jsonResponse(202, { id: started.datasetId } satisfies CreatedDataset, headers)
    : emptyResponse(202, headers);
}
