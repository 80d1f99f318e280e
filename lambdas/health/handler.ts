import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HealthStatus } from '../../core/api-schema/response-bodies';
import { unknownQueryParameter } from '../../core/operations/api-messages';
import { queryParametersOf } from '../../core/routes';
import { unknownQueryParameters } from '../http/event-input';
import { errorResponse, jsonResponse } from '../http/responses';

const KNOWN_QUERY = queryParametersOf('health');

/**
 * GET /api/v1/health (docs/API.md): unauthenticated, so it answers the same constant to everyone and touches nothing — no
 * table, no bucket, no version — leaving nothing to learn about datasets or the deployment.
 */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const unknown = unknownQueryParameters(event, KNOWN_QUERY);
  if (unknown.length > 0) return errorResponse(400, unknownQueryParameter(unknown, KNOWN_QUERY));
  return jsonResponse(200, { status: 'ok' } satisfies HealthStatus);
};
