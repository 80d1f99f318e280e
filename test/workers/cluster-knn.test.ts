import { describe, expect, it } from 'vitest';
import { normaliseRows } from '../../core/clustering/vector-math';
import { ExactKnn } from '../../workers/cluster/exact-knn';
import { buildPartitionIndex, sortedByPartition } from '../../workers/cluster/partition-index';
import { partitionedKnnGraph } from '../../workers/cluster/partitioned-knn';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Unit vectors around `centres` random centres, half of them tight and half loose: neighbours are not all obvious. */
function clustered(n: number, d: number, centres: number, seed: number): Float32Array {
  const random = seeded(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centre = Array.from({ length: centres }, () => Array.from({ length: d }, gauss));
  const vectors = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centre[Math.floor(random() * centres)];
    const noise = i % 2 ? 0.2 : 0.8;
    for (let x = 0; x < d; x++) vectors[i * d + x] = c[x] + noise * gauss();
  }
  return normaliseRows(vectors, d);
}

function bruteForce(vectors: Float32Array, d: number, k: number): { neighbours: number[][]; similarities: number[][] } {
  const n = vectors.length / d;
  const neighbours: number[][] = [];
  const similarities: number[][] = [];
  for (let i = 0; i < n; i++) {
    const scored: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let x = 0; x < d; x++) s += vectors[i * d + x] * vectors[j * d + x];
      scored.push([j, s]);
    }
    scored.sort((a, b) => b[1] - a[1]);
    neighbours.push(scored.slice(0, k).map(([j]) => j));
    similarities.push(scored.slice(0, k).map(([, s]) => s));
  }
  return { neighbours, similarities };
}

describe('kNN search', () => {
  it('exact blocked search finds the same neighbours as brute force, without the query itself', async () => {
    const d = 16;
    const vectors = clustered(300, d, 20, 1);
    const exact = await ExactKnn.open(d, 'cpu', () => {});
    const graph = await exact.search(vectors, vectors, 5, 0);
    await exact.release();
    const truth = bruteForce(vectors, d, 5);
    for (let i = 0; i < 300; i++) {
      expect(Array.from(graph.similarities.subarray(i * 5, i * 5 + 5)).map((s) => s.toFixed(4))).toEqual(
        truth.similarities[i].map((s) => s.toFixed(4)),
      );
      expect(graph.neighbours.subarray(i * 5, i * 5 + 5)).not.toContain(i);
    }
  });

  it('pads with -1 when fewer vectors exist than neighbours asked for', async () => {
    const vectors = clustered(3, 8, 1, 2);
    const exact = await ExactKnn.open(8, 'cpu', () => {});
    const graph = await exact.search(vectors, vectors, 4, 0);
    await exact.release();
    expect(Array.from(graph.neighbours.subarray(0, 4)).filter((j) => j >= 0)).toHaveLength(2);
    expect(graph.neighbours[3]).toBe(-1);
  });

  it('the partitioned search finds nearly every near-duplicate pair and most of the 10 nearest, with exact similarities', async () => {
    const d = 64;
    const n = 4000;
    const vectors = clustered(n, d, 400, 3);
    const exact = await ExactKnn.open(d, 'cpu', () => {});
    const truth = await exact.search(vectors, vectors, 10, 0);
    const index = await buildPartitionIndex(vectors, d, exact);
    const approximate = await partitionedKnnGraph(sortedByPartition(vectors, index), 10, index, exact);
    await exact.release();
    let hits = 0;
    let pairs = 0;
    let pairsFound = 0;
    for (let i = 0; i < n; i++) {
      const expected = new Set(truth.neighbours.subarray(i * 10, i * 10 + 10));
      const found = approximate.neighbours.subarray(i * 10, i * 10 + 10);
      expect(found).not.toContain(i);
      for (const j of found) if (expected.has(j)) hits++;
      for (let slot = 0; slot < 10; slot++) {
        if (truth.similarities[i * 10 + slot] < 0.9) continue;
        pairs++;
        if (found.includes(truth.neighbours[i * 10 + slot])) pairsFound++;
      }
    }
    // The edges clustering uses (similarity ≥ 0.9 between tight members of a centre).
    expect(pairs).toBeGreaterThan(1000);
    expect(pairsFound / pairs).toBeGreaterThanOrEqual(0.95);
    // This data has 400 unrelated centres in 64-d and no larger structure, the hard case for partitions; its weaker
    // neighbours (the other centres' members) are found less often than on topic-shaped data (bench/README.md).
    expect(hits / (n * 10)).toBeGreaterThanOrEqual(0.8);
    // a neighbour found is scored exactly: the same GEMM as the exact search
    expect(approximate.similarities[0]).toBeCloseTo(dotOf(vectors, d, 0, approximate.neighbours[0]), 5);
  });
});

function dotOf(vectors: Float32Array, d: number, a: number, b: number): number {
  let sum = 0;
  for (let x = 0; x < d; x++) sum += vectors[a * d + x] * vectors[b * d + x];
  return sum;
}
