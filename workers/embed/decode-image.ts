import sharp from 'sharp';
import { SkippableMediaError } from './media-errors';
import { THUMBNAIL_MAX_SIDE } from './thumbnail';

/**
 * Where an image is transparent it shows this colour: one fixed background for every image, so that a transparent PNG
 * and its copy flattened onto white (what most tools do) or re-encoded with alpha embed alike. Dropping the alpha
 * channel instead exposed whatever colour the encoder left under transparent pixels (issue 9: a PNG and its WebP copy
 * at cosine −0.75).
 */
export const TRANSPARENT_BACKGROUND = { r: 255, g: 255, b: 255 } as const;

/** embedding_config.resize: `crop` keeps the centre square, `fill` scales each side (docs/data-model.md). */
export type ResizeMode = 'crop' | 'fill';

export interface DecodedImage {
  /**
   * Interleaved RGB, `side`×`side`: EXIF orientation applied, transparency flattened onto TRANSPARENT_BACKGROUND, then
   * the shortest side resized to `side` and centre-cropped (`crop`) or each side resized to `side` (`fill`).
   */
  readonly rgb: Uint8Array;
  /** Size of the original as displayed (after EXIF orientation). */
  readonly width: number;
  readonly height: number;
  /**
   * The image at thumbnail size (longest side at most THUMBNAIL_MAX_SIDE, never enlarged; larger when its short side
   * would fall below `side`), oriented, sRGB, alpha kept: what `rgb` was resized from and what the thumbnail is encoded
   * from, so the file is decoded once for both.
   */
  readonly preview: RawImage;
}

/** Interleaved 8-bit pixels: 3 channels (RGB) or 4 (RGBA). */
export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

/** Decompression-bomb guard: 100 megapixels is far above any photo and far below what would exhaust a task. */
const MAX_INPUT_PIXELS = 100_000_000;

/** Decodes one image (first frame of animations); a corrupt or truncated one throws SkippableMediaError with sharp's reason. */
export async function decodeImage(bytes: Uint8Array, side: number, resize: ResizeMode = 'crop'): Promise<DecodedImage> {
  try {
    return await decode(bytes, side, resize);
  } catch (first) {
    if (!isVague(first)) throw new SkippableMediaError(`cannot decode image: ${reason(first)}`);
  }
  // libvips keeps its error text per thread; when several decodes fail at once sharp can report only "Unknown error".
  // A second attempt usually gets the real reason.
  try {
    return await decode(bytes, side, resize);
  } catch (second) {
    throw new SkippableMediaError(`cannot decode image: ${isVague(second) ? TRUNCATED_OR_CORRUPT : reason(second)}`);
  }
}

/**
 * What a truncated or corrupt file is reported as, however libvips words it ("premature end of JPEG image", "libpng
 * read error", …) and when it only said "Unknown error" twice: which of those a decode gets depends on what else failed
 * at the same time, and a batch re-run after an interruption must report the same skipped media for the same reasons.
 */
const TRUNCATED_OR_CORRUPT = 'corrupt or truncated image data';
const TRUNCATION = /premature end|truncated|unexpected end|corrupt|read error/i;

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
const isVague = (error: unknown): boolean => /^(unknown error)?$/i.test(firstLine(error).trim());
const reason = (error: unknown): string =>
  TRUNCATION.test(firstLine(error)) ? TRUNCATED_OR_CORRUPT : firstLine(error);

async function decode(bytes: Uint8Array, side: number, resize: ResizeMode): Promise<DecodedImage> {
  const image = sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true });
  const metadata = await image.metadata();
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  // At thumbnail size, unless that would leave the short side below the model's input (very wide images, a large
  // input_size): then short side = `side`, so the encoder's pixels are never upsampled from a preview.
  const thumbnailSized = (Math.min(width, height) * THUMBNAIL_MAX_SIDE) / Math.max(width, height, 1) >= side;
  const decoded = await image
    .resize(thumbnailSized ? THUMBNAIL_MAX_SIDE : side, thumbnailSized ? THUMBNAIL_MAX_SIDE : side, {
      fit: thumbnailSized ? 'inside' : 'outside',
      withoutEnlargement: true,
    })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const channels = decoded.info.channels;
  if (channels !== 3 && channels !== 4) throw new Error(`unexpected decoded layout: ${channels} channels`);
  const preview: RawImage = {
    data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength),
    width: decoded.info.width,
    height: decoded.info.height,
    channels,
  };
  const { data, info } = await sharp(preview.data, {
    raw: { width: preview.width, height: preview.height, channels },
  })
    .flatten({ background: TRANSPARENT_BACKGROUND })
    .resize(side, side, { fit: resize === 'fill' ? 'fill' : 'cover', position: 'centre', kernel: 'lanczos3' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== side || info.height !== side) {
    throw new Error(`unexpected decoded layout ${info.width}×${info.height}×${info.channels}`);
  }
  return {
    rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width,
    height,
    preview,
  };
}
