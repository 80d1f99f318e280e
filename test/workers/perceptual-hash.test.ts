import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageHashes } from '../../core/clustering/image-hashes';
import { decodeImage } from '../../workers/embed/decode-image';
import { perceptualHash } from '../../workers/embed/perceptual-hash';

/** Real photographs (test/fixtures/real-images) hashed from the embed worker's decode, as the worker hashes them. */
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'real-images', `${name}.jpg`));

async function hashOf(bytes: Uint8Array, side = 64): Promise<string | undefined> {
  const { preview } = await decodeImage(bytes, side, 'fill');
  return perceptualHash(preview);
}

describe('perceptual hash', () => {
  it('stays close for resized, recompressed, brightened and mirrored copies and far for other images', async () => {
    const chelsea = fixture('chelsea');
    const copies = [
      await sharp(chelsea).resize(120).jpeg({ quality: 30 }).toBuffer(),
      await sharp(chelsea).modulate({ brightness: 1.2 }).webp().toBuffer(),
      await sharp(chelsea).flop().png().toBuffer(),
    ];
    const others = ['coffee', 'astronaut', 'hubble_deep_field', 'grace_hopper'].map(fixture);
    const hashes = ImageHashes.fromHex(
      await Promise.all([chelsea, ...copies, ...others].map((bytes) => hashOf(bytes))),
    );
    for (const copy of [1, 2, 3]) expect(hashes.distance(0, copy)).toBeLessThanOrEqual(6);
    for (const other of [4, 5, 6, 7]) expect(hashes.distance(0, other)).toBeGreaterThan(14);
  });

  it('is the same bits whatever the encoder input size (it hashes the preview), 32 hex digits (hash, mirror hash)', async () => {
    const coffee = fixture('coffee');
    const [at64, at224, at16] = await Promise.all([hashOf(coffee, 64), hashOf(coffee, 224), hashOf(coffee, 16)]);
    expect(at64).toMatch(/^[0-9a-f]{32}$/);
    expect(at224).toBe(at64);
    expect(at16).toBe(at64);
  });

  it('averages any size to 32 × 32 cells by area, transparency over white', () => {
    const pattern = (x: number, y: number) => Math.round(128 + 100 * Math.sin(x / 9) * Math.cos(y / 13));
    /** The pattern at `side` px, each pixel the mean of the `scale`² pixels of the 96 px pattern it covers. */
    const image = (side: number, channels: 3 | 4) => {
      const scale = 96 / side;
      const data = new Uint8Array(side * side * channels);
      for (let y = 0; y < side; y++)
        for (let x = 0; x < side; x++) {
          let sum = 0;
          for (let dy = 0; dy < scale; dy++)
            for (let dx = 0; dx < scale; dx++) sum += pattern(x * scale + dx, y * scale + dy);
          const at = (y * side + x) * channels;
          data.fill(Math.round(sum / scale ** 2), at, at + 3);
          if (channels === 4) data[at + 3] = 255;
        }
      return { data, width: side, height: side, channels };
    };
    const hashes = ImageHashes.fromHex([
      perceptualHash(image(96, 4)),
      perceptualHash(image(48, 3)),
      perceptualHash(image(16, 3)),
    ]);
    expect(hashes.distance(0, 1)).toBeLessThanOrEqual(2);
    expect(hashes.distance(0, 2)).toBeLessThanOrEqual(6);
    const clear = { data: new Uint8Array(40 * 40 * 4), width: 40, height: 40, channels: 4 as const };
    expect(perceptualHash(clear)).toBeUndefined();
  });

  it('gives a near-uniform image no hash: its bits would be noise', async () => {
    const grey = await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 120, g: 121, b: 119 } } })
      .png()
      .toBuffer();
    expect(await hashOf(grey)).toBeUndefined();
  });
});
