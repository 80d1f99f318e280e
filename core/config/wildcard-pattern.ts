/**
 * Allow-list entries such as `arn:aws:iam::123456789012:role/vl-*` or `media-*`: `*` matches any run of characters
 * (including none), everything else matches itself exactly.
 */
function matchesWildcard(value: string, pattern: string): boolean {
  const source = pattern
    .split('*')
    .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

export const matchesAnyWildcard = (value: string, patterns: readonly string[]): boolean =>
  patterns.some((pattern) => matchesWildcard(value, pattern));
