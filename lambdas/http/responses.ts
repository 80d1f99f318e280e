import type { APIGatewayProxyResult } from 'aws-lambda';
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
  return jsonResponse(statusCode, { detail });
}

export const httpErrorResponse = (error: HttpError): APIGatewayProxyResult =>
  errorResponse(error.statusCode, error.detail);

/** Headers of an accepted operation (API.md extension): where to poll, and which operation it is. */
export const acceptedHeaders = (datasetId: string, operationId?: string): Record<string, string> => ({
  Location: `/api/v1/dataset/${encodeURIComponent(datasetId)}`,
  ...(operationId ? { 'X-Operation-Id': operationId } : {}),
});
