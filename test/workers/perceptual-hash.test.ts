import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageHashes } from '../../core/clustering/image-hashes';
import { decodeImage, HASH_GRID } from '../../workers/embed/decode-image';
import { perceptualHash } from '../../workers/embed/perceptual-hash';

/** Real photographs (test/fixtures/real-images) hashed from the embed worker's decode, as the worker hashes them. */
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'real-images', `${name}.jpg`));

async function hashOf(bytes: Uint8Array, side = 64): Promise<string | undefined> {
  const { hashGrey } = await decodeImage(bytes, side, 'fill');
  return perceptualHash(hashGrey, HASH_GRID);
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

  it('hashes a grey grid of any size by averaging it to 32 × 32 cells', () => {
    const grid = Uint8Array.from({ length: 64 * 64 }, (_, i) => ((i % 64) * 3 + Math.floor(i / 64) * 2) % 256);
    const halved = Uint8Array.from({ length: 32 * 32 }, (_, i) => {
      const x = (i % 32) * 2;
      const y = Math.floor(i / 32) * 2;
      return Math.round(
        (grid[y * 64 + x]! + grid[y * 64 + x + 1]! + grid[(y + 1) * 64 + x]! + grid[(y + 1) * 64 + x + 1]!) / 4,
      );
    });
    const hashes = ImageHashes.fromHex([perceptualHash(grid, 64), perceptualHash(halved, 32)]);
    expect(hashes.distance(0, 1)).toBeLessThanOrEqual(2);
  });

  it('gives a near-uniform image no hash: its bits would be noise', async () => {
    const grey = await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 120, g: 121, b: 119 } } })
      .png()
      .toBuffer();
    expect(await hashOf(grey)).toBeUndefined();
  });
});
