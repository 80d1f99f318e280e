import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ManifestEntry } from './manifest';
import { MediaReader } from './media-reader';

/**
 * A MediaReader that also takes the SHA-256 of every media it hands out (`takeHash`) and keeps the bytes of what it
 * read whole (`takeBytes`, for the thumbnail), each read back once, so nothing is fetched or decoded twice.
 */
export class HashingMediaReader extends MediaReader {
  private readonly hashes = new Map<string, string>();
  private readonly held = new Map<string, Uint8Array>();

  override async bytes(entry: ManifestEntry): Promise<Uint8Array> {
    const bytes = await super.bytes(entry);
    this.hashes.set(entry.media_id, createHash('sha256').update(bytes).digest('hex'));
    this.held.set(entry.media_id, bytes);
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

  /** The bytes read whole for `mediaId` (undefined for a video, read as a file), forgotten once taken. */
  takeBytes(mediaId: string): Uint8Array | undefined {
    const bytes = this.held.get(mediaId);
    this.held.delete(mediaId);
    return bytes;
  }

  /** The hash of what was read for `mediaId` (undefined when nothing was), forgotten once taken. */
  takeHash(mediaId: string): string | undefined {
    const hash = this.hashes.get(mediaId);
    this.hashes.delete(mediaId);
    return hash;
  }
}
