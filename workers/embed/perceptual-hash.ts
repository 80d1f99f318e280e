/**
 * The 64-bit DCT perceptual hash (pHash, as imagehash.phash computes it) of a decoded image, and that of its mirror
 * image, from the grey grid the embed worker resized its preview to (decode-image.ts, hashGrey): 2-D DCT-II of the
 * 32×32 grey, the 8×8 lowest frequencies, one bit per coefficient above their median. Mirroring an image negates the
 * coefficients of odd horizontal frequency, so the mirror's hash costs no second transform. Format:
 * core/clustering/image-hashes.ts.
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

/** 32 hex digits (hash, then the mirror's hash) of grey `side`×`side` pixels, or undefined if near-uniform. */
export function perceptualHash(pixels: Uint8Array, side: number): string | undefined {
  const grey = greyGrid(pixels, side);
  if (standardDeviation(grey) < MIN_CONTRAST) return undefined;
  const coefficients = lowFrequencies(grey);
  const mirrored = coefficients.map((value, i) => ((i % FREQUENCIES) % 2 === 1 ? -value : value));
  return hex(bits(coefficients)) + hex(bits(mirrored));
}

/** Grey levels averaged over a 32×32 grid of cells; a source smaller than the grid is sampled nearest. */
function greyGrid(pixels: Uint8Array, side: number): Float64Array {
  const grey = new Float64Array(GRID * GRID);
  const luma = (x: number, y: number) => pixels[y * side + x]!;
  if (side < GRID) {
    for (let y = 0; y < GRID; y++)
      for (let x = 0; x < GRID; x++)
        grey[y * GRID + x] = luma(Math.floor(((x + 0.5) * side) / GRID), Math.floor(((y + 0.5) * side) / GRID));
    return grey;
  }
  const count = new Float64Array(GRID * GRID);
  for (let y = 0; y < side; y++) {
    const row = Math.floor((y * GRID) / side) * GRID;
    for (let x = 0; x < side; x++) {
      const cell = row + Math.floor((x * GRID) / side);
      grey[cell]! += luma(x, y);
      count[cell]!++;
    }
  }
  for (let cell = 0; cell < grey.length; cell++) grey[cell]! /= count[cell]!;
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
