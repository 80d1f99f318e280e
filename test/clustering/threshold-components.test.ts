import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyKnnGraph, type KnnGraph } from '../../core/clustering/knn-graph';
import { outlierScores } from '../../core/clustering/outlier-scores';
import { nearDuplicateClusters } from '../../core/clustering/threshold-components';
import { UnionFind } from '../../core/clustering/union-find';

/** A graph from explicit neighbour lists: row i → [[j, similarity], …]. */
function graphOf(rows: readonly (readonly [number, number])[][], k: number): KnnGraph {
  const graph = emptyKnnGraph(rows.length, k);
  rows.forEach((list, i) => {
    list.forEach(([j, similarity], slot) => {
      graph.neighbours[i * k + slot] = j;
      graph.similarities[i * k + slot] = similarity;
    });
  });
  return graph;
}

describe('UnionFind', () => {
  it('joins sets transitively and reports whether a union changed anything', () => {
    const sets = new UnionFind(5);
    expect(sets.union(0, 1)).toBe(true);
    expect(sets.union(3, 4)).toBe(true);
    expect(sets.union(1, 0)).toBe(false);
    sets.union(1, 4);
    expect(new Set([0, 1, 3, 4].map((i) => sets.find(i))).size).toBe(1);
    expect(sets.find(2)).toBe(2);
  });
});

/** Unit vectors in the plane at the given angles (degrees): cosine similarity = cos(angle difference). */
function atAngles(...degrees: number[]): Float32Array {
  return Float32Array.from(degrees.flatMap((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));
}

/** The exact kNN graph of 2-d unit vectors. */
function knnOf(vectors: Float32Array, k: number): KnnGraph {
  const n = vectors.length / 2;
  const rows = Array.from({ length: n }, (_, i) =>
    Array.from(
      { length: n },
      (_, j) => [j, vectors[2 * i]! * vectors[2 * j]! + vectors[2 * i + 1]! * vectors[2 * j + 1]!] as const,
    )
      .filter(([j]) => j !== i)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k),
  );
  return graphOf(rows, k);
}

describe('nearDuplicateClusters', () => {
  it('links only mutual neighbours at or above the threshold and numbers clusters largest first', () => {
    const graph = graphOf(
      [
        [[1, 0.95]],
        [[0, 0.95]],
        [[3, 0.9]], // exactly the threshold, mutual: linked
        [[2, 0.9]],
        [[3, 0.93]], // 4 → 3 is not answered by 3 → 4: not linked
        [[0, 0.5]],
      ],
      1,
    );
    const vectors = atAngles(0, 10, 100, 110, 105, 200);
    const { labels, sizes } = nearDuplicateClusters(graph, vectors, 2, 0.9);
    expect(Array.from(sizes)).toEqual([2, 2, 1, 1]);
    expect(Array.from(labels)).toEqual([0, 0, 1, 1, 2, 3]);
  });

  it('does not chain: a component is cut to the members similar enough to its representative', () => {
    // 0°…40° in steps of 10°: each neighbour pair is at cos 10° ≈ 0.985, the ends are at cos 40° ≈ 0.77.
    const vectors = atAngles(0, 10, 20, 30, 40);
    const { labels, sizes } = nearDuplicateClusters(knnOf(vectors, 2), vectors, 2, 0.95);
    // The representative is 20°; 0° and 40° are at cos 20° ≈ 0.94 < 0.95 from it and are split off.
    expect(Array.from(sizes)).toEqual([3, 1, 1]);
    expect(labels[1]).toBe(labels[3]);
    expect(labels[0]).not.toBe(labels[2]);
    expect(labels[4]).not.toBe(labels[2]);
  });

  it('keeps every member at the threshold of its representative and joins only mutually linked items', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 360, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        (degrees, threshold) => {
          const vectors = atAngles(...degrees);
          const graph = knnOf(vectors, 3);
          const { labels, sizes } = nearDuplicateClusters(graph, vectors, 2, threshold);
          const similarity = (i: number, j: number) =>
            Math.fround(vectors[2 * i]! * vectors[2 * j]! + vectors[2 * i + 1]! * vectors[2 * j + 1]!);
          sizes.forEach((size, label) => {
            const members = degrees.map((_, i) => i).filter((i) => labels[i] === label);
            expect(members).toHaveLength(size);
            if (size < 3) return;
            // The representative has the highest summed similarity to the members (= highest mean similarity).
            const representative = members
              .map((i) => [i, members.reduce((sum, j) => sum + similarity(i, j), 0)] as const)
              .reduce((best, next) => (next[1] > best[1] + 1e-9 ? next : best))[0];
            for (const i of members)
              expect(similarity(i, representative)).toBeGreaterThanOrEqual(Math.fround(threshold) - 1e-6);
          });
          // A cluster of two or more is connected by mutual edges inside it.
          for (let i = 0; i < degrees.length; i++) {
            const mates = degrees.map((_, j) => j).filter((j) => j !== i && labels[j] === labels[i]);
            if (mates.length === 0) continue;
            const linked = mates.some((j) => {
              const forward = Array.from({ length: 3 }, (_, s) => graph.neighbours[i * 3 + s]).includes(j);
              const back = Array.from({ length: 3 }, (_, s) => graph.neighbours[j * 3 + s]).includes(i);
              return forward && back && similarity(i, j) >= Math.fround(threshold);
            });
            expect(linked).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('outlierScores', () => {
  it('is 1 − mean similarity to the neighbours that exist, and 1 for an item with none', () => {
    const graph = graphOf(
      [
        [
          [1, 0.9],
          [2, 0.7],
        ],
        [[0, 0.9]],
        [],
      ],
      2,
    );
    const scores = outlierScores(graph);
    expect(scores[0]).toBeCloseTo(0.2, 6);
    expect(scores[1]).toBeCloseTo(0.1, 6);
    expect(scores[2]).toBe(1);
  });
});
