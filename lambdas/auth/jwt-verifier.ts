import { type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import type { AuthConfig } from './auth-config';
import type { VerificationKey } from './verification-key';

/** Far above any real JWT, far below API Gateway's header limit: an oversized value is refused before parsing. */
export const MAX_TOKEN_LENGTH = 8_192;
/** OIDC Core §2: `sub` is at most 255 ASCII characters. */
const MAX_SUBJECT_LENGTH = 255;

/** Why a token was refused, safe to log (jose's messages name claims and algorithms, never the token). */
export class InvalidTokenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

/**
 * Verifies signature (allow-listed algorithms of this key source only), `exp` (required), `nbf` and `iat` (when present,
 * neither in the future), `iss` and `aud` (required, must match), with the configured clock tolerance, and returns the
 * caller's `sub`.
 */
export async function verifyJwt(token: string, key: VerificationKey, config: AuthConfig): Promise<{ sub: string }> {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError(`token longer than ${MAX_TOKEN_LENGTH} characters`);
  const options: JWTVerifyOptions = {
    algorithms: [...key.algorithms],
    issuer: config.issuer,
    audience: [...config.audience],
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };
  let payload: JWTPayload;
  try {
    const result =
      key.kind === 'jwks' ? await jwtVerify(token, key.getKey, options) : await jwtVerify(token, key.secret, options);
    payload = result.payload;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const label = typeof code === 'string' ? code : (error as Error).name;
    throw new InvalidTokenError(`${label}: ${(error as Error).message}`, { cause: error });
  }
  // jose checks `nbf` but looks at `iat` only for a maximum age: a token issued in the future is refused here.
  const latestIssue = Math.floor(Date.now() / 1000) + config.clockToleranceSeconds;
  if (typeof payload.iat === 'number' && payload.iat > latestIssue) {
    throw new InvalidTokenError('"iat" claim is in the future (beyond the clock tolerance)');
  }
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) {
    throw new InvalidTokenError(`"sub" claim must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`);
  }
  return { sub };
}
