import type { APIGatewayProxyEvent } from 'aws-lambda';
import { RESOURCE_ID } from '../../core/api-schema/identifiers';
import { headerValue } from '../auth/request-headers';

export const requestHeader = (event: APIGatewayProxyEvent, name: string): string | undefined =>
  headerValue(event.headers, name) ?? headerValue(event.multiValueHeaders, name);

/** A query parameter; an empty value (`?cursor=`) counts as absent. */
export const queryParameter = (event: APIGatewayProxyEvent, name: string): string | undefined =>
  event.queryStringParameters?.[name] || undefined;

/** The names of the query parameters sent that are not among `known`, each once, in the order sent. */
export function unknownQueryParameters(event: APIGatewayProxyEvent, known: readonly string[]): string[] {
  const sent = Object.keys({ ...event.queryStringParameters, ...event.multiValueQueryStringParameters });
  return sent.filter((name) => !known.includes(name));
}

/** Our ids are UUIDs; anything outside this shape cannot name a dataset and is answered like a missing one. */
const DATASET_ID = RESOURCE_ID;

export function datasetIdOf(event: APIGatewayProxyEvent): string | undefined {
  const id = event.pathParameters?.dataset_id;
  return id !== undefined && DATASET_ID.test(id) ? id : undefined;
}

/** Byte length of the body without decoding it (API Gateway hands binary media types over base64-encoded). */
export function bodyByteLength(event: APIGatewayProxyEvent): number {
  if (!event.body) return 0;
  if (!event.isBase64Encoded) return Buffer.byteLength(event.body, 'utf8');
  const padding = event.body.endsWith('==') ? 2 : event.body.endsWith('=') ? 1 : 0;
  return Math.floor((event.body.length * 3) / 4) - padding;
}

export const bodyBytes = (event: APIGatewayProxyEvent): Buffer =>
  event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);

/** The media type of Content-Type, lower-case and without parameters. */
export const mediaTypeOf = (contentType: string | undefined): string | undefined =>
  contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
