import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { type AuthConfig, CLOCK_TOLERANCE_SECONDS } from '../../lambdas/auth/auth-config';

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'add-media-api';
export const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Claims of a token the verifiers accept; cases override or delete single claims. */
export function validClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = nowSeconds();
  return { sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600, ...overrides };
}

export function withoutClaim(claim: keyof JWTPayload): JWTPayload {
  const claims = validClaims();
  delete claims[claim];
  return claims;
}

export function secretConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    keySource: { kind: 'secret', secret: SECRET },
    issuer: ISSUER,
    audience: [AUDIENCE],
    cookieName: 'session',
    clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
    ...overrides,
  };
}

export function signHs256(claims: JWTPayload, secret: string | Uint8Array = SECRET, kid?: string): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) }).sign(key);
}

/** A token with `alg: none` and no signature, built by hand since no library will sign one. */
export function unsignedToken(claims: JWTPayload): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function createSigningKey(alg: 'RS256' | 'ES256' | 'PS256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export function signWith(
  key: SigningKey,
  claims: JWTPayload,
  header: { kid?: string; alg?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: header.alg ?? key.alg, typ: 'JWT', kid: header.kid ?? key.kid })
    .sign(key.privateKey);
}

export interface JwksServer {
  readonly url: URL;
  /** How many times the JWKS document was fetched. */
  readonly fetches: () => number;
  close(): Promise<void>;
}

/** A real HTTP server publishing the public keys, as an OIDC provider's jwks_uri would. */
export async function startJwksServer(keys: readonly JWK[]): Promise<JwksServer> {
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    fetches: () => fetches,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
export const cookie = (token: string, name = 'session') => ({ Cookie: `theme=dark; ${name}=${token}` });
