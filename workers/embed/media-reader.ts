import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { ManifestEntry } from './manifest';
import { SkippableMediaError } from './media-errors';

export interface MediaReaderOptions {
  /** Client for our own bucket. */
  readonly s3: S3Client;
  readonly bucket: string;
  /** Client for source buckets (the assumed role's credentials when ASSUME_ROLE_ARN is set). */
  readonly sourceS3: S3Client;
  readonly localPathsAllowed: boolean;
}

/**
 * Reads media from wherever Discover located them. A media that is gone is skippable; other failures (throttling
 * that outlived the SDK's retries, access denied for the whole source) are thrown: they are the operation's problem.
 */
export class MediaReader {
  constructor(private readonly options: MediaReaderOptions) {}

  async bytes(entry: ManifestEntry): Promise<Uint8Array> {
    const location = entry.location;
    if ('path' in location) {
      this.checkLocalPath(location.path);
      try {
        return await readFile(location.path);
      } catch (error) {
        throw new SkippableMediaError(
          `cannot read ${location.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        );
      }
    }
    return (await this.object(location)).transformToByteArray();
  }

  /** A local file holding the media (ffmpeg needs seekable input); `release` removes it if it was a temporary copy. */
  async file(entry: ManifestEntry): Promise<{ path: string; release: () => Promise<void> }> {
    const location = entry.location;
    if ('path' in location) {
      this.checkLocalPath(location.path);
      return { path: location.path, release: async () => {} };
    }
    const folder = await mkdtemp(join(tmpdir(), 'embed-media-'));
    const release = () => rm(folder, { recursive: true, force: true });
    try {
      const path = join(folder, `media${extname(location.key).slice(0, 10) || '.bin'}`);
      // Streamed to disk: a video can be far larger than the memory a shard should hold.
      await pipeline((await this.object(location)) as unknown as Readable, createWriteStream(path));
      return { path, release };
    } catch (error) {
      await release();
      throw error;
    }
  }

  private async object(location: { bucket: string; key: string }) {
    const client = location.bucket === this.options.bucket ? this.options.s3 : this.options.sourceS3;
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
      return object.Body!;
    } catch (error) {
      if (error instanceof NoSuchKey)
        throw new SkippableMediaError(`s3://${location.bucket}/${location.key} no longer exists`);
      throw error;
    }
  }

  private checkLocalPath(path: string): void {
    if (!this.options.localPathsAllowed) throw new Error(`Local path ${path} refused: LOCAL_PATHS_ALLOWED is not true`);
  }
}
