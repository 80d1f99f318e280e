import { headerValue, type RequestHeaders } from '../../lambdas/auth/request-headers';
import { isLoopbackHost } from '../preflight/loopback';
import { DEFAULT_SUBJECT } from '../token';

const REFUSED =
  'Bearer error="invalid_request", error_description="AUTH_MODE=none serves programs on this machine only; requests from web pages are refused"';

/**
 * AUTH_MODE=none: no credentials, every request acts as the local user. The service listens on loopback only
 * (preflight), but a web page in the user's browser can still reach it, directly or through DNS rebinding; those
 * requests are recognised by their Host, Origin or Sec-Fetch-Site and refused.
 */
export function singleUserCaller(headers: RequestHeaders) {
  const host = headerValue(headers, 'host')?.replace(/:\d+$/, '') ?? 'localhost';
  const origin = headerValue(headers, 'origin');
  const site = headerValue(headers, 'sec-fetch-site');
  const fromPage =
    !isLoopbackHost(host) ||
    (origin !== undefined && !isLoopbackHost(hostOf(origin))) ||
    (site !== undefined && site !== 'same-origin' && site !== 'none');
  if (fromPage) return { challenge: REFUSED };
  return { sub: DEFAULT_SUBJECT, authMethod: 'bearer' as const };
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return '';
  }
}
