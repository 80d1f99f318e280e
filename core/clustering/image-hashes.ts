/**
 * 64-bit perceptual hashes (DCT pHash) of media, with the hash of each media's mirror image, as the embed worker
 * writes them (workers/embed/perceptual-hash.ts): 32 hex digits per media, the hash then the mirror's hash, each as
 * two little-endian-ordered 32-bit words (low word first). A media without one (videos, near-uniform images) has none.
 */
export class ImageHashes {
  private constructor(
    /** Four words per item: hash low, hash high, mirror low, mirror high. */
    private readonly words: Uint32Array,
    private readonly present: Uint8Array,
  ) {}

  static fromHex(values: readonly (string | undefined)[]): ImageHashes {
    const words = new Uint32Array(values.length * 4);
    const present = new Uint8Array(values.length);
    values.forEach((value, item) => {
      if (value === undefined) return;
      if (!/^[0-9a-f]{32}$/.test(value)) throw new Error(`Not a perceptual hash: ${JSON.stringify(value)}`);
      for (let w = 0; w < 4; w++) words[item * 4 + w] = Number.parseInt(value.slice(w * 8, w * 8 + 8), 16);
      present[item] = 1;
    });
    return new ImageHashes(words, present);
  }

  /** Items' hashes as raw words (four per item; `present` 0 where none), e.g. from a partition row. */
  static fromWords(words: Uint32Array, present: Uint8Array): ImageHashes {
    if (words.length !== present.length * 4) throw new Error('ImageHashes: four words per item expected');
    return new ImageHashes(words, present);
  }

  get size(): number {
    return this.present.length;
  }

  has(item: number): boolean {
    return this.present[item] === 1;
  }

  /** The four words of `item` (zeros when it has no hash). */
  wordsOf(item: number): Uint32Array {
    return this.words.subarray(item * 4, item * 4 + 4);
  }

  /** The same items in the order of `rows`. */
  gather(rows: ArrayLike<number>): ImageHashes {
    const words = new Uint32Array(rows.length * 4);
    const present = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      words.set(this.wordsOf(rows[i]!), i * 4);
      present[i] = this.present[rows[i]!]!;
    }
    return new ImageHashes(words, present);
  }

  /**
   * Hamming distance between item i and item j of `other` (default: these hashes), mirror-aware: the least of hash to
   * hash and of each hash to the other's mirror hash, so a horizontally flipped copy is as close as the original.
   * Infinity when either has no hash.
   */
  distance(i: number, j: number, other: ImageHashes = this): number {
    if (!this.present[i] || !other.present[j]) return Number.POSITIVE_INFINITY;
    const a = i * 4;
    const b = j * 4;
    const x = this.words;
    const y = other.words;
    return Math.min(
      popcount(x[a]! ^ y[b]!) + popcount(x[a + 1]! ^ y[b + 1]!),
      popcount(x[a + 2]! ^ y[b]!) + popcount(x[a + 3]! ^ y[b + 1]!),
      popcount(x[a]! ^ y[b + 2]!) + popcount(x[a + 1]! ^ y[b + 3]!),
    );
  }
}

/** The hash half of the near-duplicate rule: media whose hashes are at most `maxDistance` apart are linked. */
export interface HashRule {
  readonly hashes: ImageHashes;
  readonly maxDistance: number;
}

function popcount(value: number): number {
  let x = value - ((value >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
