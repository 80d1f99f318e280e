import { beforeAll, describe, expect, it } from 'vitest';
import { readAuthConfig } from '../../lambdas/auth/auth-config';
import { createAuthenticator } from '../../lambdas/auth/authenticate-request';
import { formatChallenge } from '../../lambdas/auth/bearer-challenge';
import { NotAuthenticatedError } from '../../lambdas/auth/not-authenticated-error';
import type { ServedRoute } from '../../local/http/api-server';
import { toProxyEvent } from '../../local/http/proxy-event';
import { type LocalAuthenticate, sessionRoutes } from '../../local/http/session-routes';
import { mintDevToken } from '../../local/token';

const AUTH = {
  AUTH_JWT_SECRET: 'session-test-secret-session-test-secret',
  AUTH_ISSUER: 'session-test',
  AUTH_AUDIENCE: 'session-api',
};
const GALLERY = 'http://127.0.0.1:2080';
const PROXIED = 'https://gallery.example.com';

const authenticator = createAuthenticator(readAuthConfig(AUTH));
const authenticate: LocalAuthenticate = async (headers) => {
  try {
    return await authenticator.authenticate(headers);
  } catch (error) {
    if (error instanceof NotAuthenticatedError) return { challenge: formatChallenge(error.challenge) };
    throw error;
  }
};

let token: string;
beforeAll(async () => {
  Object.assign(process.env, AUTH, { ALLOWED_ORIGINS: `${GALLERY},${PROXIED}` });
  token = await mintDevToken({
    sub: 'alice',
    ttl: '1h',
    issuer: AUTH.AUTH_ISSUER,
    audience: AUTH.AUTH_AUDIENCE,
    secret: AUTH.AUTH_JWT_SECRET,
  });
});

function call(routes: ServedRoute[], method: string, headers: Record<string, string>, body = '') {
  const route = routes.find((candidate) => candidate.method === method)!;
  const event = toProxyEvent(
    {
      method,
      url: '/session',
      rawHeaders: Object.entries({ Host: '127.0.0.1:2080', ...headers }).flat(),
      body: Buffer.from(body),
      sourceIp: '127.0.0.1',
    },
    { route, pathParameters: null },
    null,
  );
  return route.serve(event);
}

const json = { 'Content-Type': 'application/json' };
const signIn = (headers: Record<string, string>, body: unknown = { token }) =>
  call(sessionRoutes('jwt', authenticate), 'POST', headers, JSON.stringify(body));

describe('POST /session: the pasted token becomes the session cookie', () => {
  it('sets a verified token as an HttpOnly, SameSite=Strict cookie for every path, not Secure on loopback http', async () => {
    const answer = await signIn({ ...json, Origin: GALLERY });
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ sub: 'alice' });
    expect(answer.headers?.['Set-Cookie']).toBe(`session=${token}; Path=/; HttpOnly; SameSite=Strict`);
  });

  it('marks the cookie Secure when the page was asked for by any other name (behind a TLS proxy)', async () => {
    const answer = await signIn({ ...json, Origin: PROXIED, Host: 'gallery.example.com' });
    expect(answer.headers?.['Set-Cookie']).toBe(`session=${token}; Path=/; HttpOnly; SameSite=Strict; Secure`);
  });

  it('takes the token as copied from an Authorization header too', async () => {
    const answer = await signIn({ ...json, Origin: GALLERY }, { token: ` Bearer ${token}\n` });
    expect(answer.headers?.['Set-Cookie']).toBe(`session=${token}; Path=/; HttpOnly; SameSite=Strict`);
  });

  it('refuses a foreign page or one that names no origin (login CSRF), before reading the token', async () => {
    const foreign: Record<string, string>[] = [
      { Origin: 'http://127.0.0.1:5173' },
      { Referer: 'https://evil.example/x' },
      {},
    ];
    for (const headers of foreign) {
      const answer = await signIn({ ...json, ...headers }, { token: 'not even a token' });
      expect(answer.statusCode).toBe(403);
      expect(JSON.parse(answer.body).detail).toMatch(/^CSRF check failed: /);
      expect(answer.headers?.['Set-Cookie']).toBeUndefined();
    }
  });

  it('answers a token the API would refuse with its 401 and challenge, and sets nothing', async () => {
    const forged = `${token.slice(0, -4)}AAAA`;
    const answer = await signIn({ ...json, Origin: GALLERY }, { token: forged });
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ detail: 'Not authenticated' });
    expect(answer.headers?.['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The token signature does not match this API key"',
    );
    expect(answer.headers?.['Set-Cookie']).toBeUndefined();
  });

  it('says what to send for a body that is not a JSON token', async () => {
    const routes = sessionRoutes('jwt', authenticate);
    const form = await call(routes, 'POST', { Origin: GALLERY, 'Content-Type': 'text/plain' }, `{"token":"${token}"}`);
    expect([form.statusCode, JSON.parse(form.body).detail]).toEqual([
      400,
      'Send the token as JSON: {"token": "<jwt>"}',
    ]);
    for (const body of [{}, { token: 'a.b' }, { token: 'a.b.c; Path=/x' }, 'nope']) {
      const answer = await signIn({ ...json, Origin: GALLERY }, body);
      expect([answer.statusCode, JSON.parse(answer.body).detail]).toEqual([
        400,
        "Field 'token' must be a JWT (three base64url parts separated by dots)",
      ]);
    }
  });
});

describe('GET and DELETE /session', () => {
  it('says who is signed in, by the cookie or the Authorization header', async () => {
    const routes = sessionRoutes('jwt', authenticate);
    const signedIn = await call(routes, 'GET', { Cookie: `session=${token}` });
    expect(JSON.parse(signedIn.body)).toEqual({ auth_mode: 'jwt', signed_in: true, sub: 'alice', local_paths: false });
    const anonymous = await call(routes, 'GET', {});
    expect(JSON.parse(anonymous.body)).toEqual({ auth_mode: 'jwt', signed_in: false, sub: null, local_paths: false });
  });

  it('clears the cookie for a request of the service own pages only', async () => {
    const routes = sessionRoutes('jwt', authenticate);
    const out = await call(routes, 'DELETE', { Origin: GALLERY, Cookie: `session=${token}` });
    expect(out.statusCode).toBe(204);
    expect(out.headers?.['Set-Cookie']).toBe('session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    const forged = await call(routes, 'DELETE', { Origin: 'http://localhost:9999', Cookie: `session=${token}` });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers?.['Set-Cookie']).toBeUndefined();
  });

  it('with AUTH_MODE=none asks for no sign-in: everyone on this machine is the local user', async () => {
    const local = async () => ({ sub: 'local-user', authMethod: 'bearer' });
    const routes = sessionRoutes('none', local);
    expect(JSON.parse((await call(routes, 'GET', {})).body)).toMatchObject({
      auth_mode: 'none',
      signed_in: true,
      sub: 'local-user',
    });
    for (const method of ['POST', 'DELETE']) {
      const answer = await call(routes, method, { ...json, Origin: GALLERY }, JSON.stringify({ token }));
      expect([answer.statusCode, JSON.parse(answer.body).detail]).toEqual([
        400,
        'AUTH_MODE=none: this service asks for no sign-in',
      ]);
    }
  });
});
