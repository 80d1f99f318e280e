import sharp from 'sharp';

/** Longest side of a thumbnail, in pixels (docs/API.md "thumbnail_url"). */
export const THUMBNAIL_MAX_SIDE = 256;
const WEBP_QUALITY = 75;

/** Decompression-bomb guard, as for decoding (decode-image.ts). */
const MAX_INPUT_PIXELS = 100_000_000;

/**
 * A WebP thumbnail, longest side at most THUMBNAIL_MAX_SIDE (never enlarged), of an encoded image (EXIF orientation
 * applied, first frame of an animation, alpha kept) or of a raw RGB frame (a video's first sampled frame).
 */
export async function makeThumbnail(
  source: { readonly bytes: Uint8Array } | { readonly rgb: Uint8Array; readonly side: number },
): Promise<Buffer> {
  const image =
    'bytes' in source
      ? sharp(source.bytes, { limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true })
      : sharp(source.rgb.subarray(0, source.side * source.side * 3), {
          raw: { width: source.side, height: source.side, channels: 3 },
        });
  return image
    .resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: WEBP_QUALITY })
    .toBuffer();
}
