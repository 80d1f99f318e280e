import sharp from 'sharp';

/** The fixed background transparent pixels are flattened onto, everywhere (pHash, embeddings). */
export const BACKGROUND = { r: 255, g: 255, b: 255 };

/**
 * 64-bit perceptual hash (as imagehash.phash): grey 32×32 (aspect ignored), 2-D DCT-II, the 8×8 lowest frequencies,
 * each bit = coefficient > median of the 64. Returned as two uint32 words.
 */
export async function phash(input: string | Buffer): Promise<[number, number]> {
  const { data } = await sharp(input, { limitInputPixels: 1e8 })
    .flatten({ background: BACKGROUND })
    .greyscale()
    .resize(32, 32, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return phashOfGrey(data);
}

const N = 32;
const cosTable = (() => {
  const t = new Float64Array(8 * N);
  for (let u = 0; u < 8; u++)
    for (let x = 0; x < N; x++) t[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  return t;
})();

export function phashOfGrey(grey: Uint8Array): [number, number] {
  const rows = new Float64Array(N * 8); // DCT along x for each row, first 8 frequencies
  for (let y = 0; y < N; y++)
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += grey[y * N + x] * cosTable[u * N + x];
      rows[y * 8 + u] = s;
    }
  const coeffs = new Float64Array(64);
  for (let v = 0; v < 8; v++)
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += rows[y * 8 + u] * cosTable[v * N + y];
      coeffs[v * 8 + u] = s;
    }
  const sorted = Float64Array.from(coeffs).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 32; i++) if (coeffs[i] > median) lo |= 1 << i;
  for (let i = 0; i < 32; i++) if (coeffs[32 + i] > median) hi |= 1 << i;
  return [lo >>> 0, hi >>> 0];
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export const hamming = (a: [number, number], b: [number, number]): number =>
  popcount(a[0] ^ b[0]) + popcount(a[1] ^ b[1]);

/** The baseline's clusters of `files`: single link over all pairs at Hamming ≤ 6; one label per file. */
export async function phashBaselineLabels(files: readonly string[]): Promise<string[]> {
  const hashes = await Promise.all(files.map((file) => phash(file)));
  const parent = files.map((_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  for (let a = 0; a < hashes.length; a++)
    for (let b = a + 1; b < hashes.length; b++) if (hamming(hashes[a]!, hashes[b]!) <= 6) parent[find(a)] = find(b);
  return files.map((_, i) => String(find(i)));
}
