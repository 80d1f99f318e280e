import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ManifestEntry } from './manifest';
import { MediaReader } from './media-reader';

/**
 * A MediaReader that also takes the SHA-256 of every media it hands out (`takeHash`, read back once), so nothing is
 * fetched twice to hash it.
 */
export class HashingMediaReader extends MediaReader {
  private readonly hashes = new Map<string, string>();

  override async bytes(entry: ManifestEntry): Promise<Uint8Array> {
    const bytes = await super.bytes(entry);
    this.hashes.set(entry.media_id, createHash('sha256').update(bytes).digest('hex'));
    return bytes;
  }

  override async file(entry: ManifestEntry): Promise<{ path: string; release: () => Promise<void> }> {
    const file = await super.file(entry);
    try {
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(file.path)) hash.update(chunk as Buffer);
      this.hashes.set(entry.media_id, hash.digest('hex'));
    } catch {
      // Unreadable: no hash; decoding the file reports why it is skipped.
    }
    return file;
  }

  /** The hash of what was read for `mediaId` (undefined when nothing was), forgotten once taken. */
  takeHash(mediaId: string): string | undefined {
    const hash = this.hashes.get(mediaId);
    this.hashes.delete(mediaId);
    return hash;
  }
}
