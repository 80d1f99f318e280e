import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyKnnGraph, type KnnGraph } from '../../core/clustering/knn-graph';
import { outlierScores } from '../../core/clustering/outlier-scores';
import { thresholdComponents } from '../../core/clustering/threshold-components';
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

describe('thresholdComponents', () => {
  it('links only edges at or above the threshold and numbers clusters largest first', () => {
    const graph = graphOf(
      [
        [[1, 0.95]],
        [[0, 0.95]],
        [[3, 0.9]], // exactly the threshold: linked
        [[4, 0.9]],
        [[3, 0.89]], // 4 → 3 is below, but 3 → 4 links them anyway
        [[0, 0.5]],
      ],
      1,
    );
    const { labels, sizes } = thresholdComponents(graph, 0.9);
    expect(Array.from(sizes)).toEqual([3, 2, 1]);
    expect(Array.from(labels)).toEqual([1, 1, 0, 0, 0, 2]);
  });

  it('breaks size ties by the smallest member so labels are deterministic', () => {
    const graph = graphOf([[[2, 1]], [], [[0, 1]], []], 1);
    const { labels } = thresholdComponents(graph, 0.5);
    expect(Array.from(labels)).toEqual([0, 1, 0, 2]);
  });

  it('agrees with a brute-force reachability search on random graphs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 25 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(
              fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.double({ min: 0, max: 1, noNaN: true })), {
                maxLength: 3,
              }),
              {
                minLength: n,
                maxLength: n,
              },
            ),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
        ),
        ([n, rows, threshold]) => {
          const graph = graphOf(rows, 3);
          const { labels } = thresholdComponents(graph, threshold);
          const adjacency = Array.from({ length: n }, () => new Set<number>());
          for (let i = 0; i < n; i++)
            for (let s = 0; s < 3; s++) {
              const j = graph.neighbours[i * 3 + s];
              if (j >= 0 && graph.similarities[i * 3 + s] >= Math.fround(threshold)) {
                adjacency[i].add(j);
                adjacency[j].add(i);
              }
            }
          for (let i = 0; i < n; i++) {
            const reached = new Set([i]);
            const queue = [i];
            while (queue.length)
              for (const j of adjacency[queue.pop()!])
                if (!reached.has(j)) {
                  reached.add(j);
                  queue.push(j);
                }
            for (let j = 0; j < n; j++) expect(labels[i] === labels[j]).toBe(reached.has(j));
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
