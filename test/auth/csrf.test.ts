import { describe, expect, it } from 'vitest';
import { parseAllowedOrigins } from '../../core/config/allowed-origins';
import { checkCsrf, csrfFailureDetail } from '../../lambdas/auth/csrf';
import type { RequestHeaders } from '../../lambdas/auth/request-headers';

const allowedOrigins = parseAllowedOrigins('https://app.example.com, http://localhost:5173');
const cookieRequest = (method: string, headers: RequestHeaders) =>
  checkCsrf({ method, headers, authMethod: 'cookie', allowedOrigins });

describe('checkCsrf', () => {
  it.each(['GET', 'HEAD', 'OPTIONS'])('lets a cookie-authenticated %s through without any header', (method) => {
    expect(cookieRequest(method, {})).toEqual({ ok: true });
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'post'])(
    'exempts a bearer-authenticated %s from a foreign origin',
    (method) => {
      const headers = { Origin: 'https://evil.example' };
      expect(checkCsrf({ method, headers, authMethod: 'bearer', allowedOrigins })).toEqual({ ok: true });
    },
  );

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'lets a cookie-authenticated %s from an allowed Origin through',
    (method) => {
      expect(cookieRequest(method, { Origin: 'https://app.example.com' })).toEqual({ ok: true });
    },
  );

  it('compares origins normalised (case of the host, default port)', () => {
    expect(cookieRequest('POST', { origin: 'https://APP.example.com:443' })).toEqual({ ok: true });
  });

  it('takes the origin of the Referer when Origin is absent', () => {
    expect(cookieRequest('POST', { Referer: 'http://localhost:5173/datasets/42?tab=media' })).toEqual({ ok: true });
    expect(cookieRequest('POST', { Referer: 'https://evil.example/page?secret=1' })).toEqual({
      ok: false,
      reason: 'origin https://evil.example is not allowed',
    });
  });

  it('lets a cookie-authenticated POST with X-Requested-With: XMLHttpRequest and no origin through', () => {
    expect(cookieRequest('POST', { 'X-Requested-With': 'XMLHttpRequest' })).toEqual({ ok: true });
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'PROPPATCH'])(
    'refuses a cookie-authenticated %s with neither origin nor marker',
    (method) => {
      expect(cookieRequest(method, { 'Content-Type': 'multipart/form-data' })).toEqual({
        ok: false,
        reason: `cookie-authenticated ${method} needs an allowed Origin or X-Requested-With: XMLHttpRequest`,
      });
    },
  );

  it('refuses a cookie-authenticated POST from a foreign Origin', () => {
    expect(cookieRequest('POST', { Origin: 'https://evil.example' })).toEqual({
      ok: false,
      reason: 'origin https://evil.example is not allowed',
    });
  });

  it('refuses a foreign Origin even when it also sends X-Requested-With', () => {
    const result = cookieRequest('DELETE', { Origin: 'https://evil.example', 'X-Requested-With': 'XMLHttpRequest' });
    expect(result).toEqual({ ok: false, reason: 'origin https://evil.example is not allowed' });
  });

  it('refuses an opaque origin (Origin: null) and an unreadable Referer', () => {
    expect(cookieRequest('POST', { Origin: 'null' })).toEqual({ ok: false, reason: 'origin null is not allowed' });
    expect(cookieRequest('POST', { Referer: 'not a url' })).toEqual({
      ok: false,
      reason: 'origin null is not allowed',
    });
  });

  it('refuses an X-Requested-With of another value', () => {
    expect(cookieRequest('POST', { 'X-Requested-With': 'fetch' }).ok).toBe(false);
  });

  it('refuses everything cookie-authenticated and mutating when no origin is allowed, unless marked', () => {
    const withoutOrigins = (headers: RequestHeaders) =>
      checkCsrf({ method: 'POST', headers, authMethod: 'cookie', allowedOrigins: parseAllowedOrigins(undefined) });
    expect(withoutOrigins({ Origin: 'https://app.example.com' }).ok).toBe(false);
    expect(withoutOrigins({ 'x-requested-with': 'XMLHttpRequest' }).ok).toBe(true);
  });

  it('words the 403 detail as documented', () => {
    expect(csrfFailureDetail('origin https://evil.example is not allowed')).toBe(
      'CSRF check failed: origin https://evil.example is not allowed',
    );
  });
});

describe('parseAllowedOrigins', () => {
  it('normalises the listed origins', () => {
    expect(parseAllowedOrigins(' https://App.Example.com/ ,http://localhost:5173')).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
  });

  it('refuses entries that are not bare origins, naming them', () => {
    expect(() => parseAllowedOrigins('https://ok.example, *, https://x.example/path, ftp://files.example')).toThrow(
      'ALLOWED_ORIGINS must list origins like https://app.example.com; ' +
        'not origins: *, https://x.example/path, ftp://files.example',
    );
  });
});
