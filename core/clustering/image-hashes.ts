import { PRINT_BYTES, pixelAgreement } from './pixel-agreement';

/**
 * 64-bit perceptual hashes (DCT pHash) of media, with the hash of each media's mirror image, as the embed worker
 * writes them (workers/embed/perceptual-hash.ts): 32 hex digits per media, the hash then the mirror's hash, each as
 * two little-endian-ordered 32-bit words (low word first). A media without one (videos, near-uniform images) has none.
 * Optionally also each media's pixel print (core/clustering/pixel-agreement.ts; base64 in the shard rows), which the
 * rule's pixel check compares.
 */
export class ImageHashes {
  private constructor(
    /** Four words per item: hash low, hash high, mirror low, mirror high. */
    private readonly words: Uint32Array,
    private readonly present: Uint8Array,
    /** PRINT_BYTES per item (zeros where `printed` is 0); null when no item has one (nothing allocated). */
    private readonly prints: Uint8Array | null,
    private readonly printed: Uint8Array | null,
  ) {}

  static fromHex(values: readonly (string | undefined)[], prints?: readonly (string | undefined)[]): ImageHashes {
    if (prints && prints.length !== values.length)
      throw new Error(`${values.length} hashes but ${prints.length} prints`);
    const words = new Uint32Array(values.length * 4);
    const present = new Uint8Array(values.length);
    values.forEach((value, item) => {
      if (value === undefined) return;
      if (!/^[0-9a-f]{32}$/.test(value)) throw new Error(`Not a perceptual hash: ${JSON.stringify(value)}`);
      for (let w = 0; w < 4; w++) words[item * 4 + w] = Number.parseInt(value.slice(w * 8, w * 8 + 8), 16);
      present[item] = 1;
    });
    if (!prints?.some((value) => value !== undefined)) return new ImageHashes(words, present, null, null);
    const bytes = new Uint8Array(values.length * PRINT_BYTES);
    const printed = new Uint8Array(values.length);
    prints.forEach((value, item) => {
      if (value === undefined) return;
      const print = Buffer.from(value, 'base64');
      if (print.length !== PRINT_BYTES) throw new Error(`Not a pixel print: ${print.length} bytes`);
      bytes.set(print, item * PRINT_BYTES);
      printed[item] = 1;
    });
    return new ImageHashes(words, present, bytes, printed);
  }

  /** Items' hashes as raw words (four per item; `present` 0 where none), and prints, e.g. from a partition row. */
  static fromWords(words: Uint32Array, present: Uint8Array, prints?: Uint8Array, printed?: Uint8Array): ImageHashes {
    if (words.length !== present.length * 4) throw new Error('ImageHashes: four words per item expected');
    if (!prints || !printed) return new ImageHashes(words, present, null, null);
    if (prints.length !== printed.length * PRINT_BYTES || printed.length !== present.length)
      throw new Error(`ImageHashes: ${PRINT_BYTES} print bytes per item expected`);
    return new ImageHashes(words, present, prints, printed);
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

  /** Whether any item has a pixel print. */
  get hasPrints(): boolean {
    return this.printed?.includes(1) ?? false;
  }

  hasPrint(item: number): boolean {
    return this.printed?.[item] === 1;
  }

  /** The pixel print of `item` (zeros when it has none). */
  printOf(item: number): Uint8Array {
    return this.prints && this.hasPrint(item)
      ? this.prints.subarray(item * PRINT_BYTES, (item + 1) * PRINT_BYTES)
      : NO_PRINT;
  }

  /** The same items in the order of `rows`. */
  gather(rows: ArrayLike<number>): ImageHashes {
    const words = new Uint32Array(rows.length * 4);
    const present = new Uint8Array(rows.length);
    const prints = this.prints && new Uint8Array(rows.length * PRINT_BYTES);
    const printed = this.printed && new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      words.set(this.wordsOf(rows[i]!), i * 4);
      present[i] = this.present[rows[i]!]!;
      if (prints && printed && this.hasPrint(rows[i]!)) {
        prints.set(this.printOf(rows[i]!), i * PRINT_BYTES);
        printed[i] = 1;
      }
    }
    return new ImageHashes(words, present, prints, printed);
  }

  /** pixelAgreement of item i and item j of `other` (default: these), or undefined when either has no print. */
  agreement(i: number, j: number, other: ImageHashes = this): number | undefined {
    if (!this.hasPrint(i) || !other.hasPrint(j)) return undefined;
    return pixelAgreement(this.printOf(i), other.printOf(j));
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

/**
 * The image half of the near-duplicate rule: media whose hashes are at most `maxDistance` apart are linked; with
 * `minAgreement`, media linked by their vectors alone (hashes farther apart) must also agree by their pixel prints at
 * least that much (a media without a print is not checked).
 */
export interface HashRule {
  readonly hashes: ImageHashes;
  readonly maxDistance: number;
  readonly minAgreement?: number;
}

/**
 * Whether the rule lets item i and item j of `other` (default: the rule's hashes) be linked by their vectors: always
 * without a pixel check, when the hashes are close anyway, or when either has no print; else when their prints agree.
 */
export function pixelsAllow(rule: HashRule | undefined, i: number, j: number, other?: ImageHashes): boolean {
  if (rule?.minAgreement === undefined) return true;
  if (rule.hashes.distance(i, j, other) <= rule.maxDistance) return true;
  const agreement = rule.hashes.agreement(i, j, other);
  return agreement === undefined || agreement >= rule.minAgreement;
}

/** The print of a media without one: never compared (hasPrint is false), shared. */
const NO_PRINT = new Uint8Array(PRINT_BYTES);

function popcount(value: number): number {
  let x = value - ((value >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
