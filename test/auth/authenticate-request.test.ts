import { exportSPKI, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_SECONDS } from '../../lambdas/auth/auth-config';
import { type Authenticator, createAuthenticator } from '../../lambdas/auth/authenticate-request';
import { MAX_TOKEN_LENGTH } from '../../lambdas/auth/jwt-verifier';
import { NotAuthenticatedError } from '../../lambdas/auth/not-authenticated-error';
import type { RequestHeaders } from '../../lambdas/auth/request-headers';
import {
  AUDIENCE,
  bearer,
  cookie,
  createSigningKey,
  type JwksServer,
  nowSeconds,
  SECRET,
  type SigningKey,
  secretConfig,
  signHs256,
  signWith,
  startJwksServer,
  unsignedToken,
  validClaims,
  withoutClaim,
} from './token-fixtures';

async function expectNotAuthenticated(auth: Authenticator, headers: RequestHeaders, reason: RegExp): Promise<void> {
  const error = await auth.authenticate(headers).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(NotAuthenticatedError);
  expect((error as NotAuthenticatedError).reason).toMatch(reason);
}

/** Tokens whose claims are wrong: refused whatever the key source. `reason` pins WHY, so a broken fixture cannot pass. */
const badClaims: ReadonlyArray<readonly [string, () => JWTPayload, RegExp]> = [
  [
    'expired beyond the clock tolerance',
    () => validClaims({ exp: nowSeconds() - CLOCK_TOLERANCE_SECONDS - 5 }),
    /ERR_JWT_EXPIRED/,
  ],
  [
    'not valid before a future nbf',
    () => validClaims({ nbf: nowSeconds() + CLOCK_TOLERANCE_SECONDS + 60 }),
    /"nbf" claim timestamp/,
  ],
  ['issued a day in the future', () => validClaims({ iat: nowSeconds() + 86_400 }), /"iat" claim is in the future/],
  ['issued by another issuer', () => validClaims({ iss: 'https://evil.test' }), /unexpected "iss"/],
  ['meant for another audience', () => validClaims({ aud: 'other-api' }), /unexpected "aud"/],
  ['without exp', () => withoutClaim('exp'), /missing required "exp"/],
  ['without iss', () => withoutClaim('iss'), /missing required "iss"/],
  ['without aud', () => withoutClaim('aud'), /missing required "aud"/],
  ['without sub', () => withoutClaim('sub'), /missing required "sub"/],
  ['with an empty sub', () => validClaims({ sub: '' }), /"sub" claim must be a non-empty string/],
  ['with a numeric sub', () => validClaims({ sub: 42 as unknown as string }), /"sub" claim must be a non-empty string/],
  [
    'with an exp that is not a number',
    () => validClaims({ exp: 'tomorrow' as unknown as number }),
    /"exp" claim must be a number/,
  ],
];

describe('shared-secret (HS256) mode', () => {
  const auth = createAuthenticator(secretConfig());

  it('accepts a bearer token and names the caller by sub', async () => {
    await expect(auth.authenticate(bearer(await signHs256(validClaims())))).resolves.toEqual({
      sub: 'alice',
      authMethod: 'bearer',
    });
  });

  it('accepts the same token in the session cookie', async () => {
    await expect(auth.authenticate(cookie(await signHs256(validClaims())))).resolves.toEqual({
      sub: 'alice',
      authMethod: 'cookie',
    });
  });

  it('reads header names in any case, the scheme in any case and a quoted cookie value', async () => {
    const token = await signHs256(validClaims());
    await expect(auth.authenticate({ authorization: `bearer ${token}` })).resolves.toMatchObject({
      authMethod: 'bearer',
    });
    await expect(auth.authenticate({ COOKIE: `session="${token}"` })).resolves.toMatchObject({ authMethod: 'cookie' });
  });

  it('finds the cookie among several Cookie headers (multi-value form)', async () => {
    const token = await signHs256(validClaims());
    await expect(auth.authenticate({ Cookie: ['a=1', `b=2; session=${token}`] })).resolves.toMatchObject({
      sub: 'alice',
    });
  });

  it('uses the configured cookie name', async () => {
    const custom = createAuthenticator(secretConfig({ cookieName: 'vl_session' }));
    const token = await signHs256(validClaims());
    await expect(custom.authenticate(cookie(token, 'vl_session'))).resolves.toMatchObject({ authMethod: 'cookie' });
    await expectNotAuthenticated(custom, cookie(token, 'session'), /no session cookie/);
  });

  it(`tolerates ${CLOCK_TOLERANCE_SECONDS} s of clock skew on exp, nbf and iat`, async () => {
    const skew = CLOCK_TOLERANCE_SECONDS - 10;
    const token = await signHs256(
      validClaims({ exp: nowSeconds() - skew, nbf: nowSeconds() + skew, iat: nowSeconds() + skew }),
    );
    await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'alice' });
  });

  it('accepts a token whose aud list contains one configured audience', async () => {
    const several = createAuthenticator(secretConfig({ audience: ['web', AUDIENCE] }));
    const token = await signHs256(validClaims({ aud: ['another', AUDIENCE] }));
    await expect(several.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'alice' });
  });

  it.each(badClaims)('refuses a token %s', async (_name, claims, reason) => {
    await expectNotAuthenticated(auth, bearer(await signHs256(claims())), reason);
  });

  const badSignature = /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/;
  it.each([
    ['alg none (unsigned)', async () => unsignedToken(validClaims()), /ERR_JOSE_ALG_NOT_ALLOWED/],
    [
      'signed with another secret',
      () => signHs256(validClaims(), 'another-secret-that-is-also-32-bytes-long'),
      badSignature,
    ],
    [
      'with a tampered payload',
      async () => swapPayload(await signHs256(validClaims()), validClaims({ sub: 'mallory' })),
      badSignature,
    ],
    ['with a truncated signature', async () => (await signHs256(validClaims())).slice(0, -4), badSignature],
  ] as const)('refuses a token %s', async (_name, token, reason) => {
    await expectNotAuthenticated(auth, bearer(await token()), reason);
  });

  it('refuses an asymmetric algorithm: this mode allows HS256 only', async () => {
    const rsa = await createSigningKey('RS256', 'rsa-x');
    await expectNotAuthenticated(auth, bearer(await signWith(rsa, validClaims())), /ERR_JOSE_ALG_NOT_ALLOWED/);
  });
});

describe('credentials on the request', () => {
  const auth = createAuthenticator(secretConfig());

  it.each([
    ['no credentials at all', {}, /no Authorization header and no session cookie/],
    ['null headers', null, /no Authorization header and no session cookie/],
    ['an empty bearer', { Authorization: 'Bearer ' }, /empty bearer token/],
    ['the Bearer scheme alone', { Authorization: 'Bearer' }, /empty bearer token/],
    ['an empty Authorization header', { Authorization: '  ' }, /empty Authorization header/],
    ['another scheme', { Authorization: 'Basic YWxpY2U6cGFzcw==' }, /scheme is not Bearer/],
    ['two tokens in one header', { Authorization: 'Bearer a.b.c d.e.f' }, /more than one token/],
    [
      'two Authorization headers',
      { authorization: ['Bearer a.b.c', 'Bearer d.e.f'] },
      /more than one Authorization header/,
    ],
    ['a malformed bearer token', bearer('not-a-jwt'), /ERR_JWS_INVALID|ERR_JWT_INVALID/],
    ['a bearer token with garbage segments', bearer('a.b.c'), /ERR_JWS_INVALID|ERR_JWT_INVALID/],
    ['a cookie with garbage', { Cookie: 'session=%%%garbage%%%' }, /cookie token rejected/],
    ['an empty cookie', { Cookie: 'session=' }, /empty session cookie/],
    ['a token longer than the limit', bearer('x'.repeat(MAX_TOKEN_LENGTH + 1)), /longer than/],
  ] as const)('refuses %s', async (_name, headers, reason) => {
    await expectNotAuthenticated(auth, headers as RequestHeaders, reason);
  });

  describe('when both a bearer header and a cookie are sent, the header decides alone', () => {
    it('uses the bearer identity, not the cookie one', async () => {
      const headers = {
        ...bearer(await signHs256(validClaims({ sub: 'bob' }))),
        ...cookie(await signHs256(validClaims())),
      };
      await expect(auth.authenticate(headers)).resolves.toEqual({ sub: 'bob', authMethod: 'bearer' });
    });

    it('refuses an invalid bearer even beside a valid cookie (no fallback)', async () => {
      const headers = { ...bearer('garbage'), ...cookie(await signHs256(validClaims())) };
      await expectNotAuthenticated(auth, headers, /bearer token rejected/);
    });

    it('ignores a garbage cookie beside a valid bearer', async () => {
      const headers = { ...bearer(await signHs256(validClaims())), Cookie: 'session=garbage' };
      await expect(auth.authenticate(headers)).resolves.toEqual({ sub: 'alice', authMethod: 'bearer' });
    });
  });
});

describe('JWKS mode', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let ps: SigningKey;
  let impostor: SigningKey;
  let jwks: JwksServer;
  let auth: Authenticator;

  beforeAll(async () => {
    [rsa, ec, ps, impostor] = await Promise.all([
      createSigningKey('RS256', 'rsa-1'),
      createSigningKey('ES256', 'ec-1'),
      createSigningKey('PS256', 'ps-1'),
      createSigningKey('RS256', 'rsa-1'),
    ]);
    jwks = await startJwksServer([rsa.publicJwk, ec.publicJwk, ps.publicJwk]);
    auth = createAuthenticator(secretConfig({ keySource: { kind: 'jwks', jwksUrl: jwks.url } }));
  });

  afterAll(() => jwks.close());

  it.each([
    ['RS256', () => rsa],
    ['ES256', () => ec],
    ['PS256', () => ps],
  ] as const)('accepts a bearer token signed %s by a published key', async (_alg, key) => {
    await expect(auth.authenticate(bearer(await signWith(key(), validClaims())))).resolves.toEqual({
      sub: 'alice',
      authMethod: 'bearer',
    });
  });

  it('accepts the token in the session cookie', async () => {
    await expect(auth.authenticate(cookie(await signWith(ec, validClaims())))).resolves.toEqual({
      sub: 'alice',
      authMethod: 'cookie',
    });
  });

  it('fetches the key set once and reuses it (per cold start)', async () => {
    const fresh = createAuthenticator(secretConfig({ keySource: { kind: 'jwks', jwksUrl: jwks.url } }));
    const before = jwks.fetches();
    for (const key of [rsa, ec, ps, rsa]) await fresh.authenticate(bearer(await signWith(key, validClaims())));
    expect(jwks.fetches() - before).toBe(1);
  });

  it.each(badClaims)('refuses a token %s', async (_name, claims, reason) => {
    await expectNotAuthenticated(auth, bearer(await signWith(rsa, claims())), reason);
  });

  it('refuses alg none (unsigned)', async () => {
    await expectNotAuthenticated(auth, bearer(unsignedToken(validClaims())), /ERR_JOSE_ALG_NOT_ALLOWED/);
  });

  it('refuses HS256 signed with the RSA public key PEM as secret (algorithm confusion)', async () => {
    const publicPem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const token = await signHs256(validClaims(), publicPem, rsa.kid);
    await expectNotAuthenticated(auth, bearer(token), /ERR_JOSE_ALG_NOT_ALLOWED/);
  });

  it('refuses HS256 signed with the configured-looking shared secret', async () => {
    await expectNotAuthenticated(auth, bearer(await signHs256(validClaims(), SECRET)), /ERR_JOSE_ALG_NOT_ALLOWED/);
  });

  it('refuses a token whose kid is not published', async () => {
    const token = await signWith(impostor, validClaims(), { kid: 'unknown-kid' });
    await expectNotAuthenticated(auth, bearer(token), /ERR_JWKS_NO_MATCHING_KEY/);
  });

  it('refuses a token signed by another key under a published kid (bad signature)', async () => {
    await expectNotAuthenticated(
      auth,
      bearer(await signWith(impostor, validClaims())),
      /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/,
    );
  });

  it('refuses a token with a tampered payload', async () => {
    const token = swapPayload(await signWith(rsa, validClaims()), validClaims({ sub: 'mallory' }));
    await expectNotAuthenticated(auth, bearer(token), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  it('refuses a malformed token', async () => {
    await expectNotAuthenticated(auth, bearer('eyJhbGciOiJSUzI1NiJ9.e30'), /ERR_JWS_INVALID|ERR_JWT_INVALID/);
  });

  it('refuses a garbage cookie', async () => {
    await expectNotAuthenticated(auth, { Cookie: 'session=garbage' }, /cookie token rejected/);
  });
});

/** Replaces the payload of a signed token, keeping header and signature. */
function swapPayload(token: string, claims: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}
