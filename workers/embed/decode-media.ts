import { pixelPrint } from '../../core/clustering/pixel-agreement';
import { decodeImage, type RawImage, type ResizeMode } from './decode-image';
import type { ManifestEntry } from './manifest';
import { SkippableMediaError } from './media-errors';
import type { MediaReader } from './media-reader';
import { perceptualHash } from './perceptual-hash';
import { extractVideoFrames } from './video-frames';

export type DecodedMedia =
  | {
      readonly ok: true;
      readonly entry: ManifestEntry;
      /** `frameCount` side×side RGB frames back to back (one for an image). */
      readonly rgb: Uint8Array;
      readonly frameCount: number;
      readonly width: number;
      readonly height: number;
      /** An image's perceptual hash (perceptual-hash.ts) from the same decode; none for videos. */
      readonly hash?: string;
      /** An image's pixel print (core/clustering/pixel-agreement.ts) of the encoder's pixels, base64; none for videos. */
      readonly print?: string;
      /** An image at thumbnail size, from the same decode (decode-image.ts); none for videos. */
      readonly preview?: RawImage;
    }
  | { readonly ok: false; readonly entry: ManifestEntry; readonly reason: string };

export interface DecodeOptions {
  readonly reader: MediaReader;
  readonly side: number;
  readonly resize: ResizeMode;
  readonly maxVideoFrames: number;
  readonly maxVideoFps: number;
  /** Whether to keep each image's pixel print: only an encoder whose config has a pixel check compares them. */
  readonly prints: boolean;
}

/** Decodes one manifest entry; a media that cannot be read or decoded comes back as skipped with the reason. */
export async function decodeMedia(entry: ManifestEntry, options: DecodeOptions): Promise<DecodedMedia> {
  try {
    if (entry.type === 'image') {
      const image = await decodeImage(await options.reader.bytes(entry), options.side, options.resize);
      const hash = perceptualHash(image.preview);
      return {
        ok: true,
        entry,
        rgb: image.rgb,
        frameCount: 1,
        width: image.width,
        height: image.height,
        preview: image.preview,
        ...(options.prints ? { print: Buffer.from(pixelPrint(image.rgb, options.side)).toString('base64') } : {}),
        ...(hash ? { hash } : {}),
      };
    }
    const file = await options.reader.file(entry);
    try {
      const video = await extractVideoFrames(file.path, {
        side: options.side,
        resize: options.resize,
        maxFrames: options.maxVideoFrames,
        maxFps: options.maxVideoFps,
      });
      return {
        ok: true,
        entry,
        rgb: video.rgb,
        frameCount: video.frameCount,
        width: video.width,
        height: video.height,
      };
    } finally {
      await file.release();
    }
  } catch (error) {
    if (error instanceof SkippableMediaError) return { ok: false, entry, reason: error.message };
    throw error;
  }
}
