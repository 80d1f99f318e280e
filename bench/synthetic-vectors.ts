import { normaliseRows } from '../core/clustering/vector-math';

/**
 * Synthetic embeddings shaped like a visual dataset's: media fall into topics (unrelated media of one topic have cosine
 * ≈ 0.5, of different topics ≈ 0), and 40 % of media come in near-duplicate groups of 2–8 (cosine ≈ 0.95, above the 0.9
 * threshold). Seeded, so every run and every N sees the same kind of data.
 */
export interface SyntheticSet {
  readonly vectors: Float32Array;
  /** Ground-truth near-duplicate group of each row. */
  readonly groups: Int32Array;
}

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u = random() || 1e-12;
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

const DUPLICATE_NOISE = 0.3;

export function syntheticSet(n: number, dimension: number, seed = 1): SyntheticSet {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const topicCount = Math.max(10, Math.round(n / 1000));
  const topics = Float32Array.from({ length: topicCount * dimension }, normal);
  const vectors = new Float32Array(n * dimension);
  const groups = new Int32Array(n);
  const base = new Float32Array(dimension);
  let row = 0;
  for (let group = 0; row < n; group++) {
    const topic = Math.floor(random() * topicCount);
    for (let x = 0; x < dimension; x++) base[x] = topics[topic * dimension + x] + normal();
    const size = random() < 0.6 ? 1 : 2 + Math.floor(random() * 7);
    for (let member = 0; member < size && row < n; member++, row++) {
      groups[row] = group;
      for (let x = 0; x < dimension; x++) vectors[row * dimension + x] = base[x] + DUPLICATE_NOISE * normal();
    }
  }
  return { vectors: normaliseRows(vectors, dimension), groups };
}

/** `count` new media: every other one a near-duplicate of a random existing row, the rest unrelated to anything. */
export function newBatch(existing: SyntheticSet, dimension: number, count: number, seed = 2): Float32Array {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const n = existing.vectors.length / dimension;
  const batch = new Float32Array(count * dimension);
  for (let i = 0; i < count; i++) {
    const source = Math.floor(random() * n);
    for (let x = 0; x < dimension; x++) {
      batch[i * dimension + x] =
        i % 2 === 0
          ? existing.vectors[source * dimension + x] * Math.sqrt(dimension) + DUPLICATE_NOISE * normal()
          : normal() * 1.4;
    }
  }
  return normaliseRows(batch, dimension);
}
