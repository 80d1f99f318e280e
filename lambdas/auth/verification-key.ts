import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { AuthConfigError, checkSharedSecret, type KeySource } from './auth-config';

/**
 * Algorithms accepted per key source. A key source gets one family only, so a token can never pick HMAC against a
 * public key (the HS/RS confusion) nor `none`.
 */
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
const SHARED_SECRET_ALGORITHMS = ['HS256'] as const;

export type VerificationKey =
  | { readonly kind: 'jwks'; readonly getKey: JWTVerifyGetKey; readonly algorithms: readonly string[] }
  | { readonly kind: 'secret'; readonly secret: Uint8Array; readonly algorithms: readonly string[] };

export interface VerificationKeyDeps {
  /** Used only for `secret-arn`; by default a client for the Lambda's own region. */
  readonly secretsManager?: SecretsManagerClient;
}

/** A JWKS fetch that hangs must not eat the authorizer's time budget. */
const JWKS_TIMEOUT_MS = 3_000;
/** Keys rotate rarely; an unknown `kid` still triggers a refetch, at most once per cooldown. */
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
const JWKS_COOLDOWN_MS = 30_000;

/** Builds the key for a key source. The JWKS getter caches keys itself; a fetched secret is kept by the caller. */
export async function resolveVerificationKey(
  source: KeySource,
  deps: VerificationKeyDeps = {},
): Promise<VerificationKey> {
  switch (source.kind) {
    case 'jwks':
      return {
        kind: 'jwks',
        getKey: createRemoteJWKSet(source.jwksUrl, {
          timeoutDuration: JWKS_TIMEOUT_MS,
          cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
          cooldownDuration: JWKS_COOLDOWN_MS,
        }),
        algorithms: JWKS_ALGORITHMS,
      };
    case 'secret':
      return secretKey(source.secret);
    case 'secret-arn': {
      const secret = await fetchSecret(source.secretArn, deps);
      checkSharedSecret(secret, `Secret ${source.secretArn}`);
      return secretKey(secret);
    }
  }
}

function secretKey(secret: string): VerificationKey {
  return { kind: 'secret', secret: new TextEncoder().encode(secret), algorithms: SHARED_SECRET_ALGORITHMS };
}

async function fetchSecret(secretArn: string, deps: VerificationKeyDeps): Promise<string> {
  // Imported here, once per cold start: only `secret-arn` deployments need the SDK, and an authorizer with a JWKS URL
  // or a plain secret then imports none of it (bench/README.md "Cold start").
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = deps.secretsManager ?? new SecretsManagerClient({});
  const output = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (typeof output.SecretString !== 'string') {
    throw new AuthConfigError([`Secret ${secretArn} has no SecretString; store the HS256 secret as a string`]);
  }
  return output.SecretString;
}
