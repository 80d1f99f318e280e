import { createHash } from 'node:crypto';
import { extensionOf } from './supported-media';

/**
 * Names that come from outside (an upload's filename, an archive entry's path, an S3 key) are never used to build a
 * storage location: media is stored under generated names. They are kept, sanitized, for reports and display only.
 */

const MAX_DISPLAY_NAME = 255;
const MAX_SAFE_FILE_NAME = 100;
// C0/C1 controls, and the bidirectional overrides/isolates that can make a name read differently than it is.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (they are removed).
const UNSAFE_DISPLAY_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A name fit for a report: no control or bidi-override characters, whitespace collapsed, at most 255 characters. */
export function sanitizeDisplayName(name: string): string {
  const cleaned = name.normalize('NFC').replace(UNSAFE_DISPLAY_CHARS, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return '(unnamed)';
  const chars = Array.from(cleaned);
  return chars.length <= MAX_DISPLAY_NAME ? cleaned : `${chars.slice(0, MAX_DISPLAY_NAME - 1).join('')}…`;
}

/**
 * A file name safe as the last segment of an S3 key or a local path: the base name only (no directories), ASCII letters,
 * digits, `.`, `_`, `-`; never empty, never starting with a dot, at most 100 characters with the extension kept.
 */
export function safeFileName(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const ext = extensionOf(base)
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 10);
  const stem = extensionOf(base) === '' ? base : base.slice(0, base.lastIndexOf('.'));
  const room = MAX_SAFE_FILE_NAME - (ext === '' ? 0 : ext.length + 1);
  const safeStem =
    toSafeChars(stem)
      .replace(/^[._]+/, '')
      .slice(0, room)
      .replace(/[._]+$/, '') || 'file';
  return ext === '' ? safeStem : `${safeStem}.${ext}`;
}

function toSafeChars(text: string): string {
  const ascii = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return ascii.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/_+/g, '_');
}

/** `{index}-{safe name}`: the name of a direct upload under `staging/{ds}/{op}/files/` (docs/data-model.md). */
export function stagedUploadFileName(index: number, originalName: string): string {
  return `${index}-${safeFileName(originalName)}`;
}

/** The display name of a staged upload: its stored name without the `{index}-` prefix. */
export function displayNameOfStagedUpload(storedName: string): string {
  return storedName.replace(/^\d+-/, '');
}

const MEDIA_ID = /^[0-9a-f]{24}$/;

/**
 * The id of the `ordinal`-th candidate of an operation: 24 hex characters (96 bits) of SHA-256 over both. Deterministic,
 * so a discovery that is run again names the same media the same way and overwrites instead of duplicating.
 */
export function generateMediaId(operationId: string, ordinal: number): string {
  if (!Number.isSafeInteger(ordinal) || ordinal < 0)
    throw new RangeError(`ordinal must be a non-negative integer, got ${ordinal}`);
  return createHash('sha256').update(`${operationId}\n${ordinal}`).digest('hex').slice(0, 24);
}

export function isMediaId(value: string): boolean {
  return MEDIA_ID.test(value);
}
