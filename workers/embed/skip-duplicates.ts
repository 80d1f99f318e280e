import { duplicateReason } from '../../core/media/duplicate-reason';
import type { ContentClaims } from './content-claims';
import type { DecodedMedia } from './decode-media';
import type { HashingMediaReader } from './hashing-reader';
import type { ManifestEntry } from './manifest';

/**
 * Wraps a decode function so that a media whose bytes the dataset already holds comes back skipped as a duplicate
 * (never embedded, never added), and every other decoded media claims its content hash.
 */
export function skipDuplicates(
  decode: (entry: ManifestEntry) => Promise<DecodedMedia>,
  reader: HashingMediaReader,
  claims: ContentClaims,
): (entry: ManifestEntry) => Promise<DecodedMedia> {
  return async (entry) => {
    const decoded = await decode(entry);
    const sha256 = reader.takeHash(entry.media_id);
    if (!decoded.ok || sha256 === undefined) return decoded;
    const holder = await claims.claim(sha256, entry.media_id);
    return holder === undefined ? decoded : { ok: false, entry, reason: duplicateReason(holder) };
  };
}
