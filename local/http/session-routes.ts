import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type ApiConfig, apiConfigFromEnv } from '../../core/config/api-config';
import { getAuthConfig } from '../../lambdas/auth/auth-config';
import { checkCsrf, csrfFailureDetail } from '../../lambdas/auth/csrf';
import type { RequestHeaders } from '../../lambdas/auth/request-headers';
import { bodyBytes, mediaTypeOf, requestHeader } from '../../lambdas/http/event-input';
import { emptyResponse, errorResponse, jsonResponse } from '../../lambdas/http/responses';
import { isLoopbackHost } from '../preflight/loopback';
import type { ServedRoute } from './api-server';

/** The local server's authorizer: the caller, or the WWW-Authenticate challenge of a 401. */
export type LocalAuthenticate = (
  headers: RequestHeaders,
) => Promise<{ readonly sub: string; readonly authMethod: string } | { readonly challenge: string }>;

/** A JWS in compact form: three base64url parts; nothing else can be a cookie value here. */
const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const NO_SIGN_IN = 'AUTH_MODE=none: this service asks for no sign-in';

let apiConfig: ApiConfig | undefined;
const allowedOrigins = () => (apiConfig ??= apiConfigFromEnv()).allowedOrigins;
const localPathsEnabled = () => {
  const config = (apiConfig ??= apiConfigFromEnv());
  return config.localPathsAllowed && config.localMediaRoots.length > 0;
};

/**
 * The gallery's sign-in (docs/API.md "Gallery session"): the JWT pasted once becomes an HttpOnly, SameSite=Strict
 * session cookie that the API accepts like the Authorization header (lambdas/auth/credentials-from-request.ts).
 *   GET    /session   who is signed in: {auth_mode, signed_in, sub, local_paths}
 *   POST   /session   {"token": "<jwt>"}: verified, then set as the cookie; 200 {sub} or the API's 401
 *   DELETE /session   clears the cookie; 204
 * POST and DELETE pass the API's CSRF rule as cookie requests do (an allowed Origin, the service's own included), so a
 * foreign page can neither sign the user in as someone else nor out.
 */
export function sessionRoutes(authMode: 'jwt' | 'none', authenticate: LocalAuthenticate): ServedRoute[] {
  const route = (method: string, serve: ServedRoute['serve']): ServedRoute => ({
    method,
    resource: '/session',
    name: `session-${method.toLowerCase()}`,
    public: true,
    serve,
  });
  return [
    route('GET', (event) => describeSession(authMode, authenticate, event)),
    route('POST', (event) => signIn(authMode, authenticate, event)),
    route('DELETE', async (event) => signOut(authMode, event)),
  ];
}

async function describeSession(
  authMode: 'jwt' | 'none',
  authenticate: LocalAuthenticate,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const caller = await authenticate(event.multiValueHeaders);
  const sub = 'sub' in caller ? caller.sub : null;
  return jsonResponse(200, {
    auth_mode: authMode,
    signed_in: sub !== null,
    sub,
    local_paths: localPathsEnabled(),
  });
}

async function signIn(
  authMode: 'jwt' | 'none',
  authenticate: LocalAuthenticate,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  if (authMode === 'none') return errorResponse(400, NO_SIGN_IN);
  const refused = csrfRefusal(event);
  if (refused) return refused;
  if (mediaTypeOf(requestHeader(event, 'content-type')) !== 'application/json')
    return errorResponse(400, 'Send the token as JSON: {"token": "<jwt>"}');
  const token = tokenOf(bodyBytes(event).toString('utf8'));
  if (token === undefined || !COMPACT_JWT.test(token))
    return errorResponse(400, "Field 'token' must be a JWT (three base64url parts separated by dots)");
  const caller = await authenticate({ authorization: [`Bearer ${token}`] });
  if ('challenge' in caller)
    return jsonResponse(401, { detail: 'Not authenticated' }, { 'WWW-Authenticate': caller.challenge });
  return jsonResponse(200, { sub: caller.sub }, { 'Set-Cookie': sessionCookie(event, token) });
}

function signOut(authMode: 'jwt' | 'none', event: APIGatewayProxyEvent): APIGatewayProxyResult {
  if (authMode === 'none') return errorResponse(400, NO_SIGN_IN);
  return csrfRefusal(event) ?? emptyResponse(204, { 'Set-Cookie': `${sessionCookie(event, '')}; Max-Age=0` });
}

/** The CSRF rule of cookie-authenticated requests: these routes change which identity the browser's cookie carries. */
function csrfRefusal(event: APIGatewayProxyEvent): APIGatewayProxyResult | undefined {
  const csrf = checkCsrf({
    method: event.httpMethod,
    headers: event.multiValueHeaders,
    authMethod: 'cookie',
    allowedOrigins: allowedOrigins(),
  });
  return csrf.ok ? undefined : errorResponse(403, csrfFailureDetail(csrf.reason));
}

function tokenOf(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const token = (parsed as { token?: unknown } | null)?.token;
  // What `npm run token` prints, or a header value copied whole.
  return typeof token === 'string' ? token.trim().replace(/^Bearer\s+/i, '') : undefined;
}

/**
 * A session cookie (no expiry: the token's own `exp` still bounds it) for every path of this service, out of reach of
 * scripts (HttpOnly) and never sent by another site's pages (SameSite=Strict). Secure unless the page was asked for by
 * a loopback name: this server speaks plain http, so any other name reaches it through a TLS proxy (or must not be used).
 */
function sessionCookie(event: APIGatewayProxyEvent, value: string): string {
  const host = (requestHeader(event, 'host') ?? '').replace(/:\d+$/, '');
  const secure = !isLoopbackHost(host);
  return `${getAuthConfig().cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
