import { describe, expect, it } from 'vitest';
import { partialClusterId } from '../../core/clustering/cluster-ids';
import { ImageHashes } from '../../core/clustering/image-hashes';
import { assignIncrementally, type ExistingHashMatch } from '../../core/clustering/incremental-assignment';
import { emptyKnnGraph, type KnnGraph } from '../../core/clustering/knn-graph';
import { PRINT_BYTES } from '../../core/clustering/pixel-agreement';
import { nearDuplicateClusters, nearDuplicateEdges } from '../../core/clustering/threshold-components';
import { dot } from '../../core/clustering/vector-math';

/** 32 hex digits: `hash` (16) then `mirror` (16). */
const hex = (hash: bigint, mirror: bigint) =>
  [hash, mirror]
    .map((h) => (h & 0xffffffffn).toString(16).padStart(8, '0') + (h >> 32n).toString(16).padStart(8, '0'))
    .join('');
/** `base` with its lowest `bits` bits flipped. */
const flipped = (base: bigint, bits: number) => base ^ ((1n << BigInt(bits)) - 1n);

const A = 0x0123456789abcdefn;
const B = 0xfedcba9876543210n;
const C = 0x5a5a5a5a5a5a5a5an;

/** Unit vectors in the plane at the given angles (degrees). */
const atAngles = (...degrees: number[]) =>
  Float32Array.from(degrees.flatMap((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));

/** The exact kNN graph of 2-d unit vectors. */
function knnOf(vectors: Float32Array, k: number): KnnGraph {
  const n = vectors.length / 2;
  const graph = emptyKnnGraph(n, k);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: n }, (_, j) => [j, dot(vectors, 2 * i, vectors, 2 * j, 2)] as const)
      .filter(([j]) => j !== i)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k);
    row.forEach(([j, similarity], slot) => {
      graph.neighbours[i * k + slot] = j;
      graph.similarities[i * k + slot] = similarity;
    });
  }
  return graph;
}

describe('ImageHashes', () => {
  it('measures Hamming distance, mirror-aware, and knows media without a hash', () => {
    const hashes = ImageHashes.fromHex([hex(A, B), hex(flipped(A, 3), 0n), hex(B, flipped(A, 2)), undefined]);
    expect(hashes.distance(0, 1)).toBe(3);
    // item 2 is item 0's mirror image: its hash is 0's mirror hash, its mirror hash nearly 0's hash
    expect(hashes.distance(0, 2)).toBe(0);
    expect(hashes.distance(2, 0)).toBe(0);
    expect(hashes.distance(1, 2)).toBe(1);
    expect(hashes.distance(0, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(hashes.has(3)).toBe(false);
    expect(hashes.gather([2, 0]).distance(0, 1)).toBe(0);
  });

  it('knows whether any media has a pixel print, also after gathering', () => {
    const print = Buffer.alloc(PRINT_BYTES, 7).toString('base64');
    const printed = ImageHashes.fromHex([hex(A, B), undefined], [undefined, print]);
    expect(printed.hasPrints).toBe(true);
    expect(printed.gather([1]).hasPrints).toBe(true);
    expect(printed.gather([0]).hasPrints).toBe(false);
    expect(ImageHashes.fromHex([hex(A, B)], [undefined]).hasPrints).toBe(false);
    expect(ImageHashes.fromHex([hex(A, B)]).hasPrints).toBe(false);
  });

  it('refuses a malformed hash', () => {
    expect(() => ImageHashes.fromHex(['12ab'])).toThrow(/Not a perceptual hash/);
  });
});

describe('the hash half of the near-duplicate rule', () => {
  // 0 and 1 are each other's nearest neighbours at cosine 0.5, far below the threshold; 2's nearest is 1.
  const vectors = atAngles(0, 60, 180);
  const graph = knnOf(vectors, 1);
  /** Item 1's hash is `hash1`; item 2's is 2 bits from item 0's (A) and 6 from A with its 4 lowest bits flipped. */
  const rule = (hash1: bigint, maxDistance = 4) => ({
    hashes: ImageHashes.fromHex([hex(A, 0n), hex(hash1, 0n), hex(A ^ (3n << 60n), 0n)]),
    maxDistance,
  });

  it('links kNN neighbours whose hashes are within the distance, whatever their similarity', () => {
    expect(Array.from(nearDuplicateClusters(graph, vectors, 2, 0.9).labels)).toEqual([0, 1, 2]);
    const { labels, sizes } = nearDuplicateClusters(graph, vectors, 2, 0.9, rule(flipped(A, 4)));
    expect(labels[0]).toBe(labels[1]);
    expect(Array.from(sizes)).toEqual([2, 1]);
  });

  it('does not link hashes further apart than the distance, nor media that are not kNN neighbours', () => {
    expect(Array.from(nearDuplicateClusters(graph, vectors, 2, 0.9, rule(flipped(A, 5))).labels)).toEqual([0, 1, 2]);
    // item 2's hash is 2 bits from item 0's, but neither is the other's nearest neighbour
    expect(Array.from(nearDuplicateEdges(graph, 0.9, rule(C)))).toEqual([]);
  });

  it('emits each edge once, also when the pair is listed one way only', () => {
    const oneWay = emptyKnnGraph(3, 1);
    oneWay.neighbours.set([1, 0, 0]);
    oneWay.similarities.set([0.5, 0.5, 0.1]);
    const hashes = ImageHashes.fromHex([hex(A, B), hex(A, B), hex(A, B)]);
    expect(Array.from(nearDuplicateEdges(oneWay, 0.9, { hashes, maxDistance: 0 }))).toEqual([0, 1, 0, 2]);
  });

  it('keeps a member hash-close to the representative, drops one hash-close only to another member (the guard)', () => {
    // 0…4 at 0°…4° (linked by similarity; the representative is 4, at the centre); 5 at 90°, linked to 0 by its hash
    const six = atAngles(0, 1, 2, 3, 4, 90);
    const graph6 = knnOf(six, 5);
    const toFirst = ImageHashes.fromHex([hex(A, 0n), ...Array(4).fill(hex(C, 0n)), hex(flipped(A, 1), 0n)]);
    const dropped = nearDuplicateClusters(graph6, six, 2, 0.99, { hashes: toFirst, maxDistance: 2 });
    expect(Array.from(dropped.labels)).toEqual([0, 0, 0, 0, 0, 1]);
    const toAll = ImageHashes.fromHex([...Array(5).fill(hex(A, 0n)), hex(flipped(A, 1), 0n)]);
    const kept = nearDuplicateClusters(graph6, six, 2, 0.99, { hashes: toAll, maxDistance: 2 });
    expect(Array.from(kept.labels)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('assignIncrementally with a hash rule', () => {
  // new media: 0 hash-close to a clustered media it is not similar to; 1 a flipped copy of 0 (hash = 0's mirror
  // hash), linked to 0 by its hash only; 2 unrelated.
  const vectors = atAngles(0, 50, 180);
  const hashes = ImageHashes.fromHex([hex(A, B), hex(B, A), hex(flipped(B, 30), 0n)]);
  const input = (byHash: (ExistingHashMatch | null)[]) => ({
    batchId: 'b2',
    vectors,
    dimension: 2,
    existing: [{ clusterId: 'c00000004', similarity: 0.3 }, { clusterId: 'c00000001', similarity: 0.2 }, null],
    batchGraph: knnOf(vectors, 1),
    threshold: 0.9,
    hashes: { rule: { hashes, maxDistance: 6 }, existing: byHash },
  });

  it('joins the cluster of a hash-close clustered neighbour, and takes hash-linked batch members along', () => {
    const result = assignIncrementally(input([{ clusterId: 'c00000007', distance: 5 }, null, null]));
    expect(result.clusterIds).toEqual(['c00000007', 'c00000007', partialClusterId('b2', 0)]);
    expect(result.joined).toEqual(new Map([['c00000007', 2]]));
  });

  it('ignores clustered neighbours whose hash is further than the distance', () => {
    const result = assignIncrementally(input([{ clusterId: 'c00000007', distance: 7 }, null, null]));
    // 0 and 1 are new near-duplicates of each other (hash edge), in a new partial cluster
    expect(result.clusterIds).toEqual([
      partialClusterId('b2', 0),
      partialClusterId('b2', 0),
      partialClusterId('b2', 1),
    ]);
    expect(result.joined.size).toBe(0);
  });
});

describe('incremental assignment and full clustering with a hash rule', () => {
  it('place a batch as clustering everything again would', () => {
    // 60 unrelated clustered media (16-d, random hashes); a batch of 20 copies of them, half close in vector space
    // (cosine ≈ 0.97) with unrelated hashes, half far in vector space (cosine ≈ 0.7) with hashes 3 bits away; and 10
    // unrelated new media.
    const d = 16;
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const unitRow = (values: number[]) => {
      const norm = Math.hypot(...values);
      return values.map((v) => v / norm);
    };
    const noise = () => unitRow(Array.from({ length: d }, gaussian));
    const randomHash = () => BigInt(Math.floor(random() * 2 ** 32)) | (BigInt(Math.floor(random() * 2 ** 32)) << 32n);
    const rows: number[][] = [];
    const hashHex: string[] = [];
    for (let i = 0; i < 60; i++) {
      rows.push(noise());
      hashHex.push(hex(randomHash(), randomHash()));
    }
    for (let c = 0; c < 20; c++) {
      const original = c * 3;
      const mix = c % 2 === 0 ? 0.25 : 1;
      const other = noise();
      rows.push(unitRow(rows[original]!.map((v, x) => v + mix * other[x]!)));
      const words = hashHex[original]!;
      const hash = BigInt(`0x${words.slice(8, 16)}${words.slice(0, 8)}`);
      hashHex.push(c % 2 === 0 ? hex(randomHash(), randomHash()) : hex(flipped(hash, 3), randomHash()));
    }
    for (let i = 0; i < 10; i++) {
      rows.push(noise());
      hashHex.push(hex(randomHash(), randomHash()));
    }
    const n = rows.length;
    const vectors = Float32Array.from(rows.flat());
    const hashes = ImageHashes.fromHex(hashHex);
    const k = 5;
    const threshold = 0.9;
    const maxDistance = 6;
    const knn = (among: number[], of: number[]) => {
      const graph = emptyKnnGraph(of.length, k);
      of.forEach((i, q) => {
        among
          .filter((j) => j !== i)
          .map((j) => [j, dot(vectors, i * d, vectors, j * d, d)] as const)
          .sort((a, b) => b[1] - a[1])
          .slice(0, k)
          .forEach(([j, similarity], slot) => {
            graph.neighbours[q * k + slot] = j;
            graph.similarities[q * k + slot] = similarity;
          });
      });
      return graph;
    };
    const everything = Array.from({ length: n }, (_, i) => i);
    const full = nearDuplicateClusters(knn(everything, everything), vectors, d, threshold, { hashes, maxDistance });

    const clustered = everything.slice(0, 60);
    const batch = everything.slice(60);
    const before = nearDuplicateClusters(knn(clustered, clustered), vectors.subarray(0, 60 * d), d, threshold, {
      hashes: hashes.gather(clustered),
      maxDistance,
    });
    const clusterOf = (i: number) => `c${before.labels[i]}`;
    const candidates = knn(clustered, batch);
    const batchVectors = vectors.subarray(60 * d);
    const batchHashes = hashes.gather(batch);
    const localGraph = knn(batch, batch);
    for (let x = 0; x < localGraph.neighbours.length; x++)
      if (localGraph.neighbours[x]! >= 0) localGraph.neighbours[x]! -= 60;
    const assignment = assignIncrementally({
      batchId: 'b',
      vectors: batchVectors,
      dimension: d,
      existing: batch.map((_, q) => ({
        clusterId: clusterOf(candidates.neighbours[q * k]!),
        similarity: candidates.similarities[q * k]!,
      })),
      batchGraph: localGraph,
      threshold,
      hashes: {
        rule: { hashes: batchHashes, maxDistance },
        existing: batch.map((_, q) => {
          const slots = Array.from({ length: k }, (_, s) => candidates.neighbours[q * k + s]!);
          const best = slots.reduce((a, b) => (hashes.distance(q + 60, b) < hashes.distance(q + 60, a) ? b : a));
          return { clusterId: clusterOf(best), distance: hashes.distance(q + 60, best) };
        }),
      },
    });
    const incremental = [...clustered.map(clusterOf), ...assignment.clusterIds];
    // Every copy found its original, by similarity or by hash; the unrelated media stayed alone.
    for (let c = 0; c < 20; c++) expect(incremental[60 + c]).toBe(incremental[c * 3]);
    for (let i = 80; i < n; i++) expect(incremental.filter((id) => id === incremental[i])).toHaveLength(1);
    // Same partition as the full clustering.
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++)
        expect(incremental[i] === incremental[j], `${i}–${j}`).toBe(full.labels[i] === full.labels[j]);
  });
});
