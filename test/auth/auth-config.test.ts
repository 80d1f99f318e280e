import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  CLOCK_TOLERANCE_SECONDS,
  DEFAULT_COOKIE_NAME,
  readAuthConfig,
} from '../../lambdas/auth/auth-config';
import { createAuthenticator } from '../../lambdas/auth/authenticate-request';
import { NotAuthenticatedError } from '../../lambdas/auth/not-authenticated-error';
import { AUDIENCE, bearer, ISSUER, SECRET, secretConfig, signHs256, validClaims } from './token-fixtures';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:add-media/jwt-AbCdEf';
const base = { AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };

function configError(env: NodeJS.ProcessEnv): AuthConfigError {
  try {
    readAuthConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    return error as AuthConfigError;
  }
  throw new Error('expected readAuthConfig to throw');
}

describe('readAuthConfig', () => {
  it('reads the shared-secret mode with the default cookie name and the documented clock tolerance', () => {
    expect(readAuthConfig({ ...base, AUTH_JWT_SECRET: SECRET })).toEqual({
      keySource: { kind: 'secret', secret: SECRET },
      issuer: ISSUER,
      audience: [AUDIENCE],
      cookieName: DEFAULT_COOKIE_NAME,
      clockToleranceSeconds: 30,
    });
    expect(CLOCK_TOLERANCE_SECONDS).toBe(30);
  });

  it('reads the JWKS mode, a comma-separated audience list and a custom cookie name', () => {
    const config = readAuthConfig({
      AUTH_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json',
      AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
      AUTH_AUDIENCE: 'client-a, client-b',
      AUTH_COOKIE_NAME: 'vl_session',
    });
    expect(config.keySource).toEqual({
      kind: 'jwks',
      jwksUrl: new URL('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json'),
    });
    expect(config.audience).toEqual(['client-a', 'client-b']);
    expect(config.cookieName).toBe('vl_session');
  });

  it('reads the Secrets Manager mode', () => {
    expect(readAuthConfig({ ...base, AUTH_JWT_SECRET_ARN: SECRET_ARN }).keySource).toEqual({
      kind: 'secret-arn',
      secretArn: SECRET_ARN,
    });
  });

  it('accepts plain http for a JWKS on this machine only', () => {
    expect(readAuthConfig({ ...base, AUTH_JWKS_URL: 'http://127.0.0.1:9000/jwks.json' }).keySource.kind).toBe('jwks');
    expect(configError({ ...base, AUTH_JWKS_URL: 'http://idp.example.com/jwks.json' }).message).toMatch(
      /AUTH_JWKS_URL must be an https URL \(http only for localhost\), got "http:\/\/idp.example.com/,
    );
  });

  it('reports every missing setting at once', () => {
    expect(configError({}).problems).toEqual([
      'set one key source: AUTH_JWKS_URL, AUTH_JWT_SECRET or AUTH_JWT_SECRET_ARN',
      'AUTH_ISSUER is required (the expected "iss" claim)',
      'AUTH_AUDIENCE is required (the expected "aud" claim, comma-separated for several)',
    ]);
  });

  it.each([
    [
      'two key sources',
      { ...base, AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: 'https://idp.test/jwks' },
      /set only one key source, not AUTH_JWKS_URL and AUTH_JWT_SECRET/,
    ],
    ['a short secret', { ...base, AUTH_JWT_SECRET: 'short' }, /at least 32 bytes/],
    [
      'a malformed secret ARN',
      { ...base, AUTH_JWT_SECRET_ARN: 'my-secret' },
      /AUTH_JWT_SECRET_ARN must be a Secrets Manager secret ARN, got "my-secret"/,
    ],
    [
      'a JWKS URL that is not a URL',
      { ...base, AUTH_JWKS_URL: 'jwks.json' },
      /AUTH_JWKS_URL must be an https URL.*, got "jwks.json"/,
    ],
    ['an audience of blanks', { ...base, AUTH_JWT_SECRET: SECRET, AUTH_AUDIENCE: ' , ' }, /AUTH_AUDIENCE is required/],
    [
      'a cookie name with a separator',
      { ...base, AUTH_JWT_SECRET: SECRET, AUTH_COOKIE_NAME: 'a;b' },
      /AUTH_COOKIE_NAME must be a valid cookie name.*, got "a;b"/,
    ],
  ])('refuses %s', (_name, env, message) => {
    expect(configError(env).message).toMatch(message);
  });

  it('never repeats the secret in its messages', () => {
    expect(configError({ AUTH_JWT_SECRET: 'tiny-secret-value' }).message).not.toContain('tiny-secret-value');
  });
});

describe('Secrets Manager key source', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  afterEach(() => secretsManager.reset());

  const config = secretConfig({ keySource: { kind: 'secret-arn', secretArn: SECRET_ARN } });

  it('fetches the secret once and verifies every later request with it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    const auth = createAuthenticator(config, { secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) });
    const token = await signHs256(validClaims());

    const callers = await Promise.all([1, 2, 3].map(() => auth.authenticate(bearer(token))));

    expect(callers).toEqual(Array(3).fill({ sub: 'alice', authMethod: 'bearer' }));
    const calls = secretsManager.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN });
  });

  it('surfaces a failed fetch as a deployment error, not a 401, and tries again on the next request', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('AccessDeniedException'))
      .resolves({ SecretString: SECRET });
    const auth = createAuthenticator(config, { secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) });
    const token = await signHs256(validClaims());

    const first = await auth.authenticate(bearer(token)).catch((error: unknown) => error);
    expect(first).not.toBeInstanceOf(NotAuthenticatedError);
    expect((first as Error).message).toBe('AccessDeniedException');
    await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'alice' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a stored secret that is too short for HS256', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    const auth = createAuthenticator(config, { secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) });
    await expect(auth.authenticate(bearer(await signHs256(validClaims())))).rejects.toThrow(AuthConfigError);
  });

  it('does not ask Secrets Manager when the request carries no credentials', async () => {
    const auth = createAuthenticator(config, { secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) });
    await expect(auth.authenticate({})).rejects.toBeInstanceOf(NotAuthenticatedError);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
