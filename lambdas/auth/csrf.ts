import { httpOrigin } from '../../core/config/allowed-origins';
import type { AuthMethod } from './credentials-from-request';
import { headerValue, type RequestHeaders } from './request-headers';

/**
 * Cross-site request forgery rule, applied by HANDLERS (the authorizer's cached decision is shared by every method of
 * a route, so it cannot judge the method).
 *
 * A browser attaches the session cookie to cross-site requests; it never attaches a bearer token. So:
 * 1. Safe methods (GET, HEAD, OPTIONS) and bearer-authenticated requests pass.
 * 2. A cookie-authenticated POST/PUT/PATCH/DELETE (any other method too) that names where it comes from (`Origin`, else the origin of
 *    `Referer`) passes only if that origin is in ALLOWED_ORIGINS; a foreign origin is refused even with
 *    `X-Requested-With`, so a permissive CORS setup cannot reopen the hole.
 * 3. One that names no origin passes only with `X-Requested-With: XMLHttpRequest`, a header a cross-site form cannot
 *    set and cross-site script can only send after a CORS preflight.
 *
 * Failure answers `403 {"detail": "CSRF check failed: <reason>"}`, reasons being
 * `origin <origin> is not allowed` or `cookie-authenticated <METHOD> needs an allowed Origin or X-Requested-With: XMLHttpRequest`.
 */
export type CsrfResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface CsrfRequest {
  readonly method: string;
  readonly headers: RequestHeaders;
  readonly authMethod: AuthMethod;
  /** Normalised origins (scheme://host[:port]), as `parseAllowedOrigins` returns them. */
  readonly allowedOrigins: readonly string[];
}

const CSRF_FAILURE_PREFIX = 'CSRF check failed: ';
/** Methods that change nothing; every other method is checked, not only the usual POST/PUT/PATCH/DELETE. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function checkCsrf({ method, headers, authMethod, allowedOrigins }: CsrfRequest): CsrfResult {
  const upperMethod = method.toUpperCase();
  if (authMethod === 'bearer' || SAFE_METHODS.has(upperMethod)) return { ok: true };
  const origin = requestOrigin(headers);
  if (origin !== undefined) {
    return allowedOrigins.includes(origin) ? { ok: true } : { ok: false, reason: `origin ${origin} is not allowed` };
  }
  if (headerValue(headers, 'x-requested-with')?.trim().toLowerCase() === 'xmlhttprequest') return { ok: true };
  return {
    ok: false,
    reason: `cookie-authenticated ${upperMethod} needs an allowed Origin or X-Requested-With: XMLHttpRequest`,
  };
}

/** The `detail` of the 403 a handler answers when {@link checkCsrf} fails. */
export function csrfFailureDetail(reason: string): string {
  return `${CSRF_FAILURE_PREFIX}${reason}`;
}

/** Browsers send `Origin: null` from opaque contexts; an unreadable Referer is treated the same way. */
const OPAQUE_ORIGIN = 'null';

/** `Origin` when sent, else the origin of `Referer` (its path and query are dropped, never echoed). */
function requestOrigin(headers: RequestHeaders): string | undefined {
  const origin = headerValue(headers, 'origin')?.trim();
  if (origin) return httpOrigin(origin) ?? OPAQUE_ORIGIN;
  const referer = headerValue(headers, 'referer')?.trim();
  if (referer) return httpOrigin(referer) ?? OPAQUE_ORIGIN;
  return undefined;
}
