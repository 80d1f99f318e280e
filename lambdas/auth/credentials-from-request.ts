import { NotAuthenticatedError } from './not-authenticated-error';

const malformed = (reason: string, description: string) =>
  new NotAuthenticatedError(reason, { error: 'invalid_request', description });

import { headerValues, type RequestHeaders } from './request-headers';

export type AuthMethod = 'bearer' | 'cookie';

export interface RequestCredentials {
  readonly token: string;
  readonly authMethod: AuthMethod;
}

/**
 * Finds the JWT of a request. Rule when both are sent: an `Authorization` header, when present, decides alone; the
 * cookie is not consulted, so a bad bearer token is 401 even beside a valid cookie (no silent fallback between
 * identities). Otherwise the session cookie named `cookieName` is used. Throws {@link NotAuthenticatedError}.
 */
export function credentialsFromHeaders(headers: RequestHeaders, cookieName: string): RequestCredentials {
  const authorization = headerValues(headers, 'authorization');
  if (authorization.length > 1) throw malformed('more than one Authorization header', 'Send one Authorization header');
  if (authorization.length === 1) return bearerCredentials(authorization[0]!);
  const cookie = sessionCookie(headers, cookieName);
  if (cookie === undefined) throw new NotAuthenticatedError('no Authorization header and no session cookie');
  if (cookie === '') throw new NotAuthenticatedError(`empty ${cookieName} cookie`);
  return { token: cookie, authMethod: 'cookie' };
}

function bearerCredentials(value: string): RequestCredentials {
  const [scheme = '', ...rest] = value.trim().split(/[ \t]+/);
  if (scheme === '')
    throw malformed('empty Authorization header', 'The Authorization header is empty; send Bearer <token>');
  if (scheme.toLowerCase() !== 'bearer')
    throw malformed('Authorization scheme is not Bearer', 'Use the Bearer scheme: Authorization: Bearer <token>');
  if (rest.length === 0) throw malformed('empty bearer token', 'The bearer token is empty');
  if (rest.length > 1)
    throw malformed('Authorization header holds more than one token', 'Send exactly one token: Bearer <token>');
  return { token: rest[0]!, authMethod: 'bearer' };
}

/**
 * The first cookie of that name across all Cookie headers (browsers send the most specific path first); quotes allowed
 * by RFC 6265 are stripped.
 */
function sessionCookie(headers: RequestHeaders, cookieName: string): string | undefined {
  for (const header of headerValues(headers, 'cookie')) {
    for (const pair of header.split(';')) {
      const separator = pair.indexOf('=');
      if (separator < 0 || pair.slice(0, separator).trim() !== cookieName) continue;
      const value = pair.slice(separator + 1).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
  }
  return undefined;
}
