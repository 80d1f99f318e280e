import * as messages from './api-messages';

/** API.md: every paged endpoint takes `limit` (default 100, at most 1000) and answers `{items, next_cursor}`. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/** `limit` as sent (a query string value): absent → the default; anything but 1..1000 in plain digits is refused. */
export function parseLimit(value: string | undefined): { ok: true; limit: number } | { ok: false; detail: string } {
  if (value === undefined || value === '') return { ok: true, limit: DEFAULT_PAGE_LIMIT };
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  return limit >= 1 && limit <= MAX_PAGE_LIMIT
    ? { ok: true, limit }
    : { ok: false, detail: messages.invalidLimit(MAX_PAGE_LIMIT) };
}
