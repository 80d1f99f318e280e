import type { AuthConfig } from './auth-config';

/**
 * The `WWW-Authenticate` value of a 401 (RFC 6750 §3): no error code when the request carried no credentials,
 * `invalid_request` for a malformed Authorization header, `invalid_token` with the reason for a refused token. The
 * body stays `Not authenticated` whatever the reason (API.md); this header tells a client what to fix.
 */
export type BearerChallenge =
  | { readonly error?: undefined }
  | { readonly error: 'invalid_request' | 'invalid_token'; readonly description: string };

export const NO_CREDENTIALS: BearerChallenge = {};

export function formatChallenge(challenge: BearerChallenge): string {
  if (!challenge.error) return 'Bearer';
  // RFC 6750 §3: error_description is printable ASCII without '"' and '\'.
  const description = challenge.description.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  return `Bearer error="${challenge.error}", error_description="${description}"`;
}

/** Why jose refused a token, in words a client can act on (names claims and expected values, never the token). */
export function describeTokenRejection(error: unknown, config: Pick<AuthConfig, 'issuer' | 'audience'>): string {
  const { code, claim, reason } = error as { code?: string; claim?: string; reason?: string };
  if (code === 'ERR_JWT_EXPIRED') return 'The token expired; get a new one';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (reason === 'missing') return `The token has no ${claim} claim`;
    if (claim === 'iss') return `The token issuer (iss) is not accepted here; expected ${config.issuer}`;
    if (claim === 'aud')
      return `The token audience (aud) is not accepted here; expected ${config.audience.join(' or ')}`;
    if (claim === 'nbf') return 'The token is not valid yet (nbf)';
    return `The token ${claim} claim is not accepted`;
  }
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'The token signature does not match this API key';
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'The token signing algorithm is not accepted here';
  if (code === 'ERR_JWKS_NO_MATCHING_KEY') return 'The token was signed by a key this API does not know';
  return 'The token is not a valid JWT';
}
