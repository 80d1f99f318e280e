import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { openApiText } from '../../core/api-schema/openapi-document';
import { unknownQueryParameter } from '../../core/operations/api-messages';
import { queryParametersOf } from '../../core/routes';
import { unknownQueryParameters } from '../http/event-input';
import { errorResponse } from '../http/responses';

const KNOWN_QUERY = queryParametersOf('openapi');
/** Generated once per container: the document only changes with the code. */
const DOCUMENT = openApiText();

/**
 * GET /api/v1/openapi.json (docs/API.md): the OpenAPI 3.1 document, unauthenticated like health. It describes the routes
 * and holds no data: no table, no bucket, nothing about the deployment.
 */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const unknown = unknownQueryParameters(event, KNOWN_QUERY);
  if (unknown.length > 0) return errorResponse(400, unknownQueryParameter(unknown, KNOWN_QUERY));
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' },
    body: DOCUMENT,
  };
};
