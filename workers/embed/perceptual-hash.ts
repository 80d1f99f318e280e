import { type RawImage, TRANSPARENT_BACKGROUND } from './decode-image';

/**
 * The 64-bit DCT perceptual hash (pHash, as imagehash.phash computes it) of a decoded image, and that of its mirror
 * image, from the preview the embed worker decoded (decode-image.ts): its luma averaged to a 32×32 grid (aspect
 * ignored, transparency over the encoder's background), 2-D DCT-II, the 8×8 lowest frequencies, one bit per
 * coefficient above their median. From the preview rather than the encoder's 64 px input, so that copies at other
 * sizes hash as a file hashes (issue 9: a 48 px copy of a noisy 72 px tile was 22 bits from it through the 64 px
 * input, 4 through the preview). Mirroring an image negates the coefficients of odd horizontal frequency, so the
 * mirror's hash costs no second transform. Format: core/clustering/image-hashes.ts.
 */
const GRID = 32;
const FREQUENCIES = 8;
/** Below this standard deviation (grey levels 0–255) an image is near-uniform: its bits would be noise, so no hash. */
const MIN_CONTRAST = 2;

const COSINES = (() => {
  const table = new Float64Array(FREQUENCIES * GRID);
  for (let u = 0; u < FREQUENCIES; u++)
    for (let x = 0; x < GRID; x++) table[u * GRID + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * GRID));
  return table;
})();

/** 32 hex digits (hash, then the mirror's hash) of an image, or undefined if it is near-uniform. */
export function perceptualHash(image: RawImage): string | undefined {
  const grey = greyGrid(image);
  if (standardDeviation(grey) < MIN_CONTRAST) return undefined;
  const coefficients = lowFrequencies(grey);
  const mirrored = coefficients.map((value, i) => ((i % FREQUENCIES) % 2 === 1 ? -value : value));
  return hex(bits(coefficients)) + hex(bits(mirrored));
}

/**
 * Luma (BT.601) averaged over a 32×32 grid of cells, each pixel weighted by the area of it that a cell covers (a source
 * smaller than the grid spreads each pixel over several cells). Computed here rather than by a resize in sharp: the
 * same hashes for a fifth of the CPU (1.9 → 0.4 ms per image, bench/README.md).
 */
function greyGrid(image: RawImage): Float64Array {
  const { data, width, height, channels } = image;
  const background =
    0.299 * TRANSPARENT_BACKGROUND.r + 0.587 * TRANSPARENT_BACKGROUND.g + 0.114 * TRANSPARENT_BACKGROUND.b;
  const luma = new Float64Array(width * height);
  for (let i = 0; i < luma.length; i++) {
    const p = i * channels;
    const value = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
    const alpha = channels === 4 ? data[p + 3]! / 255 : 1;
    luma[i] = alpha * value + (1 - alpha) * background;
  }
  const grey = new Float64Array(GRID * GRID);
  const cellWidth = width / GRID;
  const cellHeight = height / GRID;
  for (let row = 0; row < GRID; row++) {
    const top = row * cellHeight;
    const bottom = top + cellHeight;
    for (let column = 0; column < GRID; column++) {
      const left = column * cellWidth;
      const right = left + cellWidth;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(top); y < Math.min(Math.ceil(bottom), height); y++) {
        const coverY = Math.min(y + 1, bottom) - Math.max(y, top);
        for (let x = Math.floor(left); x < Math.min(Math.ceil(right), width); x++) {
          const weight = coverY * (Math.min(x + 1, right) - Math.max(x, left));
          sum += luma[y * width + x]! * weight;
          area += weight;
        }
      }
      grey[row * GRID + column] = sum / area;
    }
  }
  return grey;
}

function standardDeviation(values: Float64Array): number {
  let sum = 0;
  let squares = 0;
  for (const value of values) {
    sum += value;
    squares += value * value;
  }
  const mean = sum / values.length;
  return Math.sqrt(Math.max(0, squares / values.length - mean * mean));
}

/** The 8×8 lowest DCT-II coefficients of the grid, row v (vertical frequency) by column u (horizontal). */
function lowFrequencies(grey: Float64Array): Float64Array {
  const rows = new Float64Array(GRID * FREQUENCIES);
  for (let y = 0; y < GRID; y++)
    for (let u = 0; u < FREQUENCIES; u++) {
      let sum = 0;
      for (let x = 0; x < GRID; x++) sum += grey[y * GRID + x]! * COSINES[u * GRID + x]!;
      rows[y * FREQUENCIES + u] = sum;
    }
  const coefficients = new Float64Array(FREQUENCIES * FREQUENCIES);
  for (let v = 0; v < FREQUENCIES; v++)
    for (let u = 0; u < FREQUENCIES; u++) {
      let sum = 0;
      for (let y = 0; y < GRID; y++) sum += rows[y * FREQUENCIES + u]! * COSINES[v * GRID + y]!;
      coefficients[v * FREQUENCIES + u] = sum;
    }
  return coefficients;
}

/** Bit i (word i >> 5, bit i & 31) set where coefficient i is above the median of the 64. */
function bits(coefficients: Float64Array): Uint32Array {
  const sorted = Float64Array.from(coefficients).sort();
  const median = (sorted[31]! + sorted[32]!) / 2;
  const words = new Uint32Array(2);
  coefficients.forEach((value, i) => {
    if (value > median) words[i >> 5]! |= 1 << (i & 31);
  });
  return words;
}

const hex = (words: Uint32Array): string => Array.from(words, (word) => word.toString(16).padStart(8, '0')).join('');
