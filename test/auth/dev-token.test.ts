import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { readAuthConfig } from '../../lambdas/auth/auth-config';
import { createAuthenticator } from '../../lambdas/auth/authenticate-request';
import { NotAuthenticatedError } from '../../lambdas/auth/not-authenticated-error';
import { DEFAULT_SUBJECT, devTokenOptions, LOCAL_AUTH_DEFAULTS, mintDevToken } from '../../local/token';
import { nowSeconds } from './token-fixtures';

const run = promisify(execFile);
const TSX = 'node_modules/.bin/tsx';
/** The token command as a user runs it: no AUTH_* variables, so the documented defaults apply. */
const envWithoutAuth = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AUTH_')));

const defaultSettings = readAuthConfig({
  AUTH_JWT_SECRET: LOCAL_AUTH_DEFAULTS.secret,
  AUTH_ISSUER: LOCAL_AUTH_DEFAULTS.issuer,
  AUTH_AUDIENCE: LOCAL_AUTH_DEFAULTS.audience,
});

describe('npm run token (local/token.ts)', () => {
  it('prints only a token that verifies with the default development secret, issuer and audience', async () => {
    const { stdout, stderr } = await run(TSX, ['local/token.ts', '--sub', 'alice'], { env: envWithoutAuth });

    expect(stderr).toBe('');
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = stdout.trim();
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(LOCAL_AUTH_DEFAULTS.secret), {
      algorithms: ['HS256'],
      issuer: LOCAL_AUTH_DEFAULTS.issuer,
      audience: LOCAL_AUTH_DEFAULTS.audience,
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe('alice');
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    await expect(
      createAuthenticator(defaultSettings).authenticate({ Authorization: `Bearer ${token}` }),
    ).resolves.toEqual({
      sub: 'alice',
      authMethod: 'bearer',
    });
  });

  it('exits 2 with the usage on an unknown flag and prints no token', async () => {
    const failure = await run(TSX, ['local/token.ts', '--user', 'alice'], { env: envWithoutAuth }).catch(
      (error) => error,
    );
    expect(failure.code).toBe(2);
    expect(failure.stdout).toBe('');
    expect(failure.stderr).toContain("Unknown option '--user'");
    expect(failure.stderr).toContain('usage: npm run token --');
  });
});

describe('devTokenOptions and mintDevToken', () => {
  it('defaults to the development settings and a 12 h token for the default user', () => {
    expect(devTokenOptions([], {})).toEqual({
      sub: DEFAULT_SUBJECT,
      ttl: '12h',
      issuer: LOCAL_AUTH_DEFAULTS.issuer,
      audience: LOCAL_AUTH_DEFAULTS.audience,
      secret: LOCAL_AUTH_DEFAULTS.secret,
    });
  });

  it('follows the AUTH_* variables of a customised local server, and flags over them', () => {
    const env = { AUTH_JWT_SECRET: 'x'.repeat(40), AUTH_ISSUER: 'https://my-idp', AUTH_AUDIENCE: 'api-a,api-b' };
    expect(devTokenOptions([], env)).toMatchObject({
      secret: 'x'.repeat(40),
      issuer: 'https://my-idp',
      audience: 'api-a',
    });
    expect(devTokenOptions(['--iss', 'i', '--aud', 'a', '--sub', 'bob', '--ttl', '90'], env)).toMatchObject({
      sub: 'bob',
      issuer: 'i',
      audience: 'a',
      ttl: '90',
    });
  });

  it('refuses an empty --sub', () => {
    expect(() => devTokenOptions(['--sub', ' '], {})).toThrow('--sub must not be empty');
  });

  it('reads --ttl as seconds or as a time span', async () => {
    const options = devTokenOptions(['--sub', 'bob'], {});
    const inSeconds = decodeJwt(await mintDevToken({ ...options, ttl: '90' }));
    const inMinutes = decodeJwt(await mintDevToken({ ...options, ttl: '30m' }));
    expect(inSeconds.exp! - inSeconds.iat!).toBe(90);
    expect(inMinutes.exp! - inMinutes.iat!).toBe(1800);
    expect(inSeconds.exp!).toBeGreaterThanOrEqual(nowSeconds() + 89);
  });

  it('mints a token the server refuses when --aud does not match its audience', async () => {
    const token = await mintDevToken(devTokenOptions(['--aud', 'someone-else'], {}));
    await expect(
      createAuthenticator(defaultSettings).authenticate({ Authorization: `Bearer ${token}` }),
    ).rejects.toBeInstanceOf(NotAuthenticatedError);
  });
});
