import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { headerValue } from '../../lambdas/auth/request-headers';
import type { RouteKey } from './routes';

/** What the local server read off the wire, before it becomes an API Gateway event. */
export interface RawRequest {
  readonly method: string;
  /** Path and query string, as on the request line. */
  readonly url: string;
  /** Node's `rawHeaders`: name, value, name, value… with the client's spelling. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** The API's `binaryMediaTypes` (lib/api/api.ts): these bodies reach the handler base64-encoded, `isBase64Encoded: true`. */
const BINARY_MEDIA_TYPES: readonly string[] = ['multipart/form-data'];

const LOCAL_STAGE = 'local';

/** The authorizer context API Gateway puts under `requestContext.authorizer` (values are strings there). */
export interface AuthorizerContext {
  readonly principalId: string;
  readonly sub: string;
  readonly auth_method: string;
}

/**
 * Builds the REST API (payload 1.0) proxy event API Gateway would hand the route's Lambda: single- and multi-value
 * headers and query, decoded path parameters, and a base64 body for binary media types.
 */
export function toProxyEvent(
  request: RawRequest,
  match: { readonly route: RouteKey; readonly pathParameters: Record<string, string> | null },
  authorizer: AuthorizerContext | null,
  now: Date = new Date(),
): APIGatewayProxyEvent {
  const url = new URL(request.url, 'http://local');
  const { headers, multiValueHeaders } = headersOf(request.rawHeaders);
  const { single: queryStringParameters, multi: multiValueQueryStringParameters } = queryOf(url.searchParams);
  const binary = isBinary(headerValue(headers, 'content-type'));
  const body =
    request.body.length === 0 ? null : binary ? request.body.toString('base64') : request.body.toString('utf8');
  return {
    resource: match.route.resource,
    path: url.pathname,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: match.pathParameters,
    stageVariables: null,
    body,
    isBase64Encoded: body !== null && binary,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headerValue(headers, 'user-agent') ?? null,
        userArn: null,
      },
      path: `/${LOCAL_STAGE}${url.pathname}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: match.route.resource,
      stage: LOCAL_STAGE,
    },
  };
}

function headersOf(rawHeaders: readonly string[]) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    // Like API Gateway: the last value wins in `headers`, all values are kept in `multiValueHeaders`.
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

function queryOf(params: URLSearchParams) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of params) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return Object.keys(single).length === 0 ? { single: null, multi: null } : { single, multi };
}

function isBinary(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && BINARY_MEDIA_TYPES.includes(type);
}

/** The HTTP response a Lambda proxy result stands for: merged single/multi-value headers, decoded body. */
export function fromProxyResult(result: APIGatewayProxyResult): {
  statusCode: number;
  headers: Record<string, string[]>;
  body: Buffer;
} {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = [String(value)];
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name.toLowerCase()] = values.map(String);
  }
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  return { statusCode: result.statusCode, headers, body };
}
