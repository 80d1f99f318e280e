import sharp from 'sharp';
import type { RawImage } from './decode-image';

/** Longest side of a thumbnail, in pixels (docs/API.md "thumbnail_url"). */
export const THUMBNAIL_MAX_SIDE = 256;
const WEBP_QUALITY = 75;
/** libwebp's effort 2 of 0–6: 3.2 ms less CPU per image than the default 4 for a file 3 % larger (bench/README.md). */
const WEBP_EFFORT = 2;

/**
 * A WebP thumbnail, longest side at most THUMBNAIL_MAX_SIDE (never enlarged), of an image's preview (decode-image.ts:
 * already oriented and at most that size, alpha kept) or of a raw RGB frame (a video's first sampled frame).
 */
export async function makeThumbnail(
  source: { readonly preview: RawImage } | { readonly rgb: Uint8Array; readonly side: number },
): Promise<Buffer> {
  const image =
    'preview' in source
      ? sharp(source.preview.data, {
          raw: { width: source.preview.width, height: source.preview.height, channels: source.preview.channels },
        })
      : sharp(source.rgb.subarray(0, source.side * source.side * 3), {
          raw: { width: source.side, height: source.side, channels: 3 },
        });
  return image
    .resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: WEBP_QUALITY, effort: WEBP_EFFORT })
    .toBuffer();
}
