/**
 * ALLOWED_ORIGINS: comma-separated origins such as `https://app.example.com,http://localhost:5173`. Throws on an entry
 * that is not an origin (a path, a wildcard), since a typo would silently refuse or admit the wrong sites.
 */
export function parseAllowedOrigins(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const origins = entries.map((entry) => ({ entry, origin: exactOrigin(entry) }));
  const bad = origins.filter(({ origin }) => origin === undefined).map(({ entry }) => entry);
  if (bad.length > 0) {
    throw new Error(`ALLOWED_ORIGINS must list origins like https://app.example.com; not origins: ${bad.join(', ')}`);
  }
  return origins.map(({ origin }) => origin!);
}

/** The normalised origin of an http(s) URL (lower-case host, default port dropped). */
export function httpOrigin(value: string): string | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  return url.origin;
}

/** Like {@link httpOrigin}, but only for a value that is an origin and nothing more. */
function exactOrigin(value: string): string | undefined {
  const origin = httpOrigin(value);
  if (!origin) return undefined;
  const url = new URL(value);
  const bare =
    url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !value.includes('*');
  return bare ? origin : undefined;
}
