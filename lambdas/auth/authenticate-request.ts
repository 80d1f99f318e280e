import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AuthConfig, getAuthConfig } from './auth-config';
import { describeTokenRejection } from './bearer-challenge';
import { type AuthMethod, credentialsFromHeaders } from './credentials-from-request';
import { InvalidTokenError, verifyJwt } from './jwt-verifier';
import { NotAuthenticatedError } from './not-authenticated-error';
import type { RequestHeaders } from './request-headers';
import { resolveVerificationKey, type VerificationKey } from './verification-key';

export interface AuthenticatedCaller {
  readonly sub: string;
  readonly authMethod: AuthMethod;
}

export interface Authenticator {
  /**
   * Resolves the caller of one request, or throws {@link NotAuthenticatedError} (answer 401). Any other error is a
   * deployment problem (bad configuration, secret unreadable) and is left to surface as a 500.
   */
  authenticate(headers: RequestHeaders): Promise<AuthenticatedCaller>;
}

export interface AuthenticatorDeps {
  readonly secretsManager?: SecretsManagerClient;
}

/**
 * One authenticator per configuration. The key is resolved on first use and kept (a Secrets Manager secret is fetched
 * once, a JWKS set caches its keys); a failed resolution is not kept, so the next request tries again.
 */
export function createAuthenticator(config: AuthConfig, deps: AuthenticatorDeps = {}): Authenticator {
  let key: Promise<VerificationKey> | undefined;
  const verificationKey = (): Promise<VerificationKey> => {
    key ??= resolveVerificationKey(config.keySource, deps).catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return key;
  };
  return {
    async authenticate(headers) {
      const { token, authMethod } = credentialsFromHeaders(headers, config.cookieName);
      const resolvedKey = await verificationKey();
      try {
        const { sub } = await verifyJwt(token, resolvedKey, config);
        return { sub, authMethod };
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
        throw new NotAuthenticatedError(`${authMethod} token rejected: ${error.message}`, {
          error: 'invalid_token',
          description: describeTokenRejection(error.cause ?? error, config),
        });
      }
    },
  };
}

let processAuthenticator: Authenticator | undefined;

/**
 * Authenticates one request with this process's configuration (environment, read once). The authorizer Lambda wraps
 * this; the local runtime calls it for every request.
 */
export async function authenticateRequest(headers: RequestHeaders): Promise<AuthenticatedCaller> {
  processAuthenticator ??= createAuthenticator(getAuthConfig());
  return processAuthenticator.authenticate(headers);
}
