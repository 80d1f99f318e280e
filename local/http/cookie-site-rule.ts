import { headerValue, type RequestHeaders } from '../../lambdas/auth/request-headers';

/**
 * Whether a cookie-authenticated request comes from the service's own pages, by its fetch metadata: `same-origin` (the
 * gallery), `none` (the user typed or bookmarked the URL), or no `Sec-Fetch-Site` at all (not a browser that sends it).
 * SameSite=Strict keeps the cookie off other sites' requests; this also keeps it off requests from other origins of the
 * same site (another port of 127.0.0.1), for reads too, so an `<img>` elsewhere cannot use it.
 */
export function fromOwnPages(headers: RequestHeaders): boolean {
  const site = headerValue(headers, 'sec-fetch-site')?.trim().toLowerCase();
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** The WWW-Authenticate challenge of a refused cookie request. */
export const FOREIGN_PAGE_CHALLENGE =
  'Bearer error="invalid_request", error_description="The session cookie is accepted from this service\'s own pages only"';
