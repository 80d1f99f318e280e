import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../workers/embed/decode-image';
import { makeThumbnail, THUMBNAIL_MAX_SIDE } from '../../workers/embed/thumbnail';
import { makeImage } from '../support/media-fixtures';

const sizeOf = async (bytes: Buffer) => {
  const meta = await sharp(bytes).metadata();
  return { format: meta.format, width: meta.width, height: meta.height };
};

/** An image's thumbnail as embed makes it: from the preview of the decode that also feeds the encoder. */
const thumbnailOf = async (bytes: Buffer) => makeThumbnail({ preview: (await decodeImage(bytes, 64)).preview });

describe('thumbnails', () => {
  it('are WebP with the longest side at most 256 px, keeping the aspect ratio', async () => {
    const wide = await makeImage({ seed: 1, width: 1200, height: 600 });
    expect(await sizeOf(await thumbnailOf(wide))).toEqual({ format: 'webp', width: 256, height: 128 });
    const tall = await makeImage({ seed: 2, width: 300, height: 900, format: 'png' });
    expect(await sizeOf(await thumbnailOf(tall))).toEqual({ format: 'webp', width: 85, height: 256 });
  });

  it("come from the decode that feeds the encoder, which keeps a wide image's short side at the model's input size", async () => {
    const wide = await makeImage({ seed: 5, width: 2000, height: 250 });
    const { preview, rgb } = await decodeImage(wide, 224);
    expect([preview.width, preview.height]).toEqual([1792, 224]);
    expect(rgb).toHaveLength(224 * 224 * 3);
    expect(await sizeOf(await makeThumbnail({ preview }))).toEqual({ format: 'webp', width: 256, height: 32 });
  });

  it('never enlarge a small image', async () => {
    const small = await makeImage({ seed: 3, width: 64, height: 48 });
    expect(await sizeOf(await thumbnailOf(small))).toEqual({ format: 'webp', width: 64, height: 48 });
  });

  it('apply EXIF orientation', async () => {
    const rotated = await sharp(await makeImage({ seed: 4, width: 400, height: 200 }))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    expect(await sizeOf(await thumbnailOf(rotated))).toMatchObject({ width: 128, height: 256 });
  });

  it("are made from a video's first sampled frame", async () => {
    const side = 224;
    const frames = new Uint8Array(side * side * 3 * 2).fill(200);
    expect(await sizeOf(await makeThumbnail({ rgb: frames, side }))).toEqual({
      format: 'webp',
      width: side,
      height: side,
    });
    expect(THUMBNAIL_MAX_SIDE).toBe(256);
  });
});
