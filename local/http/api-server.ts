import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { CallerGate } from './caller-gate';
import { type AuthorizerContext, fromProxyResult, toProxyEvent } from './proxy-event';
import { readBody } from './read-body';
import { allowedMethods, matchRoute, type RouteKey } from './routes';

/** A route of the local server: API Gateway would call a Lambda; here `serve` gets the same proxy event. */
export interface ServedRoute extends RouteKey {
  readonly name: string;
  /** Served without credentials (the health check): the authorizer is not asked. */
  readonly public?: boolean;
  serve(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
}

interface Caller {
  readonly sub: string;
  readonly authMethod: string;
}

export interface ApiServerOptions {
  readonly routes: readonly ServedRoute[];
  /** Largest request body accepted; a larger one gets 413 like API Gateway's payload limit. */
  readonly maxBodyBytes: number;
  readonly tooLargeDetail: string;
  /**
   * The authorizer: the caller, or the WWW-Authenticate challenge of a 401 for missing / invalid credentials. Throwing
   * means authentication itself is broken (configuration, key source): 500, as API Gateway answers an authorizer failure.
   */
  authenticate(
    headers: Readonly<Record<string, readonly string[] | undefined>>,
  ): Promise<Caller | { readonly challenge: string }>;
  /** Per-caller admission once authenticated; unset: none. */
  readonly gate?: CallerGate;
  log(message: string): void;
}

// The same answers lib/api/gateway-responses.ts makes API Gateway give.
const NOT_FOUND = { detail: 'Not Found' };
const NOT_AUTHENTICATED = { detail: 'Not authenticated' };
const AUTHORIZER_FAILURE = { detail: 'Authentication is temporarily unavailable' };
const INTERNAL_ERROR = { detail: 'Internal server error' };
const TOO_MANY_REQUESTS = { detail: 'Too many requests in flight for this user; retry later' };

/** node:http front door doing API Gateway's part: routing, body limit, the authorizer, proxy events and results. */
export function createApiServer(options: ApiServerOptions): Server {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      options.log(`${request.method} ${request.url} failed: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) sendJson(response, 502, INTERNAL_ERROR);
      else response.destroy();
    });
  });
  // curl and other clients ask before sending a large body: refuse an oversize upload before it is transferred.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (Number(request.headers['content-length'] ?? 0) > options.maxBodyBytes) {
      sendJson(response, 413, { detail: options.tooLargeDetail }, { connection: 'close' });
      return;
    }
    response.writeContinue();
    server.emit('request', request, response);
  });
  return server;
}

async function handle(options: ApiServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  const url = request.url ?? '/';
  const match = matchRoute(options.routes, method, new URL(url, 'http://local').pathname);
  if (!match) {
    request.resume();
    const allowed = allowedMethods(options.routes, new URL(url, 'http://local').pathname);
    if (allowed.length === 0) sendJson(response, 404, NOT_FOUND);
    else
      sendJson(
        response,
        405,
        { detail: `Method ${method} is not allowed here; use ${allowed.join(' or ')}` },
        { allow: allowed.join(', ') },
      );
    return;
  }
  const body = await readBody(request, options.maxBodyBytes);
  if (body.kind === 'too_large') {
    sendJson(response, 413, { detail: options.tooLargeDetail });
    return;
  }
  const raw = {
    method,
    url,
    rawHeaders: request.rawHeaders,
    body: body.body,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
  };
  const anonymous = toProxyEvent(raw, match, null);
  if (match.route.public) {
    send(response, fromProxyResult(await match.route.serve(anonymous)));
    return;
  }
  let caller: Caller | { readonly challenge: string };
  try {
    caller = await options.authenticate(anonymous.multiValueHeaders);
  } catch (error) {
    options.log(`authorizer failed: ${(error as Error).message}`);
    sendJson(response, 500, AUTHORIZER_FAILURE);
    return;
  }
  if ('challenge' in caller) {
    sendJson(response, 401, NOT_AUTHENTICATED, { 'www-authenticate': caller.challenge });
    return;
  }
  const authorizer: AuthorizerContext = { principalId: caller.sub, sub: caller.sub, auth_method: caller.authMethod };
  const event = { ...anonymous, requestContext: { ...anonymous.requestContext, authorizer } };
  const release = options.gate ? await options.gate.enter(caller.sub) : () => undefined;
  if (!release) {
    sendJson(response, 429, TOO_MANY_REQUESTS, { 'retry-after': '1' });
    return;
  }
  const started = Date.now();
  let served;
  try {
    served = await match.route.serve(event);
  } finally {
    release();
  }
  const result = fromProxyResult(served);
  // Status polls would drown everything else: successful reads are not logged.
  if (method !== 'GET' || result.statusCode >= 300) {
    options.log(`${method} ${url} -> ${result.statusCode} (${match.route.name}, ${Date.now() - started} ms)`);
  }
  send(response, result);
}

function send(response: ServerResponse, result: ReturnType<typeof fromProxyResult>): void {
  response.writeHead(result.statusCode, { ...result.headers, 'content-length': String(result.body.length) });
  response.end(result.body);
}

function sendJson(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
