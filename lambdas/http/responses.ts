import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorDetail } from '../../core/api-schema/response-bodies';
import type { HttpError } from './refusal-status';

/** API answers are per caller and change with every operation: never cached. */
const COMMON_HEADERS = { 'Cache-Control': 'no-store' } as const;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...COMMON_HEADERS, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** `202 Accepted` and the like: no body at all (API.md: "empty body"). */
export function emptyResponse(statusCode: number, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...COMMON_HEADERS, ...headers }, body: '' };
}

/** Every error is `{"detail": "<message>"}`. */
export function errorResponse(statusCode: number, detail: string): APIGatewayProxyResult {
  return jsonResponse(statusCode, { detail } satisfies ErrorDetail);
}

export const httpErrorResponse = (error: HttpError): APIGatewayProxyResult =>
  errorResponse(error.statusCode, error.detail);

/**
 * Headers of an accepted operation: `Location` (the dataset, as API.md fixes it) and `X-Operation-Id` (API.md
 * extensions), and `Operation-Location`, the operation's own resource, to poll for phase, progress and outcome.
 */
export const acceptedHeaders = (datasetId: string, operationId?: string): Record<string, string> => {
  const dataset = `/api/v1/dataset/${encodeURIComponent(datasetId)}`;
  return {
    Location: dataset,
    ...(operationId
      ? {
          'X-Operation-Id': operationId,
          'Operation-Location': `${dataset}/operations/${encodeURIComponent(operationId)}`,
        }
      : {}),
  };
};
