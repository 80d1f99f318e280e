import { ImageHashes } from '../../core/clustering/image-hashes';
import { PRINT_BYTES } from '../../core/clustering/pixel-agreement';

/**
 * One clustered media as the incremental path reads it: `label` (uint32 LE, its cluster number), `scale` (float32 LE),
 * `flags` (uint32 LE: 1 when the media has a perceptual hash, 2 when it has a pixel print), the four uint32 LE words of
 * its hash and its mirror's (core/clustering/image-hashes.ts; zeros without one), then its unit vector quantised to
 * int8 codes
 * (v ≈ code × scale, scale = max |v| / 127), padded to a multiple of 4 bytes so every row stays 4-aligned. A row is
 * little more than a quarter of the float32 vector's size, which is what a lookup reads per candidate; the
 * similarities it yields are within a few thousandths of the exact ones (bench/README.md).
 */
const HEADER_BYTES = 28;
const HASHED = 1;
const PRINTED = 2;
export const rowBytes = (dimension: number): number => HEADER_BYTES + Math.ceil(dimension / 4) * 4;

/**
 * Encodes `vectors` (row-major, unit length) with their labels (row-aligned) and hashes as consecutive rows; row r's
 * hash is item `order[r]` of `hashes` (default: item r), so the media's hashes need no reordered copy.
 */
export function encodePartitionRows(
  vectors: Float32Array,
  labels: ArrayLike<number>,
  hashes: ImageHashes,
  dimension: number,
  order?: ArrayLike<number>,
): Uint8Array {
  const n = labels.length;
  const items = order?.length ?? hashes.size;
  if (items !== n) throw new Error(`${n} labels but ${items} hashes`);
  const stride = rowBytes(dimension);
  const bytes = new Uint8Array(n * stride);
  const view = new DataView(bytes.buffer);
  const codes = new Int8Array(bytes.buffer);
  for (let row = 0; row < n; row++) {
    const offset = row * stride;
    const item = order ? order[row] : row;
    let largest = 0;
    for (let x = 0; x < dimension; x++) largest = Math.max(largest, Math.abs(vectors[row * dimension + x]));
    const scale = largest / 127 || 1;
    view.setUint32(offset, labels[row], true);
    view.setFloat32(offset + 4, scale, true);
    view.setUint32(offset + 8, (hashes.has(item) ? HASHED : 0) | (hashes.hasPrint(item) ? PRINTED : 0), true);
    hashes.wordsOf(item).forEach((word, w) => {
      view.setUint32(offset + 12 + 4 * w, word, true);
    });
    for (let x = 0; x < dimension; x++)
      codes[offset + HEADER_BYTES + x] = Math.round(vectors[row * dimension + x] / scale);
  }
  return bytes;
}

/** Rows decoded in place (no copy): a block of consecutive rows as read from the file. */
export class PartitionRows {
  private readonly words: Uint32Array;
  private readonly scales: Float32Array;
  private readonly codes: Int8Array;
  private readonly stride: number;
  readonly count: number;

  constructor(
    bytes: Uint8Array,
    private readonly dimension: number,
  ) {
    const stride = rowBytes(dimension);
    if (bytes.byteOffset % 4 !== 0 || bytes.byteLength % stride !== 0)
      throw new Error('Partition rows are misaligned or truncated');
    this.stride = stride;
    this.count = bytes.byteLength / stride;
    this.words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    this.scales = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    this.codes = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  label(row: number): number {
    return this.words[(row * this.stride) / 4];
  }

  /** Whether the row's media has a perceptual hash, and its four words (hash, mirror's hash; zeros without one). */
  hashed(row: number): boolean {
    return (this.words[(row * this.stride) / 4 + 2] & HASHED) !== 0;
  }

  /** Whether the row's media has a pixel print (in the clustering's prints file, partition-files.ts). */
  printed(row: number): boolean {
    return (this.words[(row * this.stride) / 4 + 2] & PRINTED) !== 0;
  }

  /** The row's hash as one item of ImageHashes (copied: it outlives the chunk read). */
  hashesOf(row: number): ImageHashes {
    return ImageHashes.fromWords(this.hashWords(row).slice(), Uint8Array.of(this.hashed(row) ? 1 : 0));
  }

  hashWords(row: number): Uint32Array {
    const first = (row * this.stride) / 4 + 3;
    return this.words.subarray(first, first + 4);
  }

  /** Similarity of row `row` with the unit vector at `offset` of `query`. */
  similarity(row: number, query: Float32Array, offset: number): number {
    const codes = this.codes;
    const base = row * this.stride + HEADER_BYTES;
    const d = this.dimension;
    // Four running sums: independent additions the CPU can overlap.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let x = 0;
    for (; x + 3 < d; x += 4) {
      s0 += query[offset + x] * codes[base + x];
      s1 += query[offset + x + 1] * codes[base + x + 1];
      s2 += query[offset + x + 2] * codes[base + x + 2];
      s3 += query[offset + x + 3] * codes[base + x + 3];
    }
    for (; x < d; x++) s0 += query[offset + x] * codes[base + x];
    return (s0 + s1 + s2 + s3) * this.scales[(row * this.stride) / 4 + 1];
  }
}

/**
 * partition-prints.bin: each row's pixel print (PRINT_BYTES, zeros without one), row-aligned with the rows file; kept
 * apart from the rows because a lookup scores every row of the partitions it probes but compares the prints of a few
 * candidates only (bench/README.md: in the rows they more than doubled the bytes a lookup reads).
 */
export function encodePartitionPrints(hashes: ImageHashes, order?: ArrayLike<number>): Uint8Array {
  const n = order?.length ?? hashes.size;
  const bytes = new Uint8Array(n * PRINT_BYTES);
  for (let row = 0; row < n; row++) {
    const item = order ? order[row] : row;
    if (hashes.hasPrint(item)) bytes.set(hashes.printOf(item), row * PRINT_BYTES);
  }
  return bytes;
}
