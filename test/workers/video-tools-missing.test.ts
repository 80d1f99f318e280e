import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMedia } from '../../workers/embed/decode-media';
import type { ManifestEntry } from '../../workers/embed/manifest';
import { MediaReader } from '../../workers/embed/media-reader';
import { makeImage } from '../support/media-fixtures';

const folder = mkdtempSync(join(tmpdir(), 'video-tools-missing-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const entry = (name: string, type: 'image' | 'video'): ManifestEntry => ({
  media_id: (type === 'image' ? 'a' : 'b').repeat(24),
  type,
  source_uri: join(folder, name),
  location: { path: join(folder, name) },
  bytes: 1,
  mime: type === 'image' ? 'image/jpeg' : 'video/mp4',
});

describe('a worker on a machine without ffmpeg', () => {
  it('skips each video with how to install ffmpeg, and still decodes the images of the batch', async () => {
    writeFileSync(join(folder, 'a.jpg'), await makeImage({ seed: 1 }));
    writeFileSync(join(folder, 'clip.mp4'), Buffer.from('not looked at: ffprobe is missing'));
    const s3 = new S3Client({ region: 'us-east-1' });
    const options = {
      reader: new MediaReader({ s3, sourceS3: s3, bucket: 'b', localPathsAllowed: true }),
      side: 8,
      resize: 'crop' as const,
      maxVideoFrames: 2,
      maxVideoFps: 1,
      prints: false,
    };
    const path = process.env.PATH;
    process.env.PATH = folder; // no ffmpeg, no ffprobe
    try {
      const [image, video] = await Promise.all([
        decodeMedia(entry('a.jpg', 'image'), options),
        decodeMedia(entry('clip.mp4', 'video'), options),
      ]);
      expect(image.ok).toBe(true);
      expect(video).toMatchObject({
        ok: false,
        reason:
          'video skipped: ffprobe is not installed; install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg) and restart the service',
      });
    } finally {
      process.env.PATH = path;
    }
  });
});
