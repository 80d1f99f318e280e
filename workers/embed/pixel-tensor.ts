/** Per-channel normalisation of the embedding config: applied to pixels scaled to [0, 1]. */
export interface PixelNormalisation {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/**
 * Interleaved 8-bit RGB (HWC, what sharp and ffmpeg's rgb24 produce) → planar float32 CHW, normalised, written into
 * `target` at `offset` so a whole batch shares one buffer.
 */
export function rgbToChw(
  rgb: Uint8Array,
  side: number,
  norm: PixelNormalisation,
  target: Float32Array,
  offset: number,
): void {
  const plane = side * side;
  if (rgb.length !== plane * 3)
    throw new Error(`Expected ${plane * 3} RGB bytes for a ${side}×${side} image, got ${rgb.length}`);
  for (let channel = 0; channel < 3; channel++) {
    const scale = 1 / (255 * norm.std[channel]);
    const shift = norm.mean[channel] / norm.std[channel];
    const base = offset + channel * plane;
    for (let p = 0; p < plane; p++) target[base + p] = rgb[p * 3 + channel] * scale - shift;
  }
}
