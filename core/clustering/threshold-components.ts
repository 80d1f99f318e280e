import type { KnnGraph } from './knn-graph';
import { UnionFind } from './union-find';

export interface Components {
  /** Cluster number of each item: 0 is the largest cluster; ties keep the order of their smallest member. */
  readonly labels: Int32Array;
  readonly sizes: Int32Array;
}

/** Connected components of the graph's edges whose similarity is at least `threshold` (singletons included). */
export function thresholdComponents(graph: KnnGraph, threshold: number): Components {
  const sets = new UnionFind(graph.n);
  const cut = float32Threshold(threshold);
  for (let i = 0; i < graph.n; i++) {
    for (let slot = 0; slot < graph.k; slot++) {
      const neighbour = graph.neighbours[i * graph.k + slot];
      if (neighbour >= 0 && graph.similarities[i * graph.k + slot] >= cut) sets.union(i, neighbour);
    }
  }
  return labelSets(sets);
}

/** Numbers the sets of `sets` by decreasing size so that cluster ids sort by importance. */
export function labelSets(sets: UnionFind): Components {
  const n = sets.count;
  const rootSize = new Int32Array(n);
  const firstMember = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const root = sets.find(i);
    rootSize[root]++;
    if (firstMember[root] < 0) firstMember[root] = i;
  }
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (rootSize[i] > 0) roots.push(i);
  roots.sort((a, b) => rootSize[b] - rootSize[a] || firstMember[a] - firstMember[b]);
  const numberOfRoot = new Int32Array(n);
  const sizes = new Int32Array(roots.length);
  roots.forEach((root, label) => {
    numberOfRoot[root] = label;
    sizes[label] = rootSize[root];
  });
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = numberOfRoot[sets.find(i)];
  return { labels, sizes };
}

/** Similarities are float32; comparing them with the float32 rounding of the threshold makes "exactly at" count. */
export const float32Threshold = (threshold: number): number => Math.fround(threshold);
