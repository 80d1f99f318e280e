import { partialClusterId } from './cluster-ids';
import type { KnnGraph } from './knn-graph';
import { representatives } from './representatives';
import { float32Threshold, labelSets } from './threshold-components';
import { UnionFind } from './union-find';

/** The most similar already-clustered media of a new media, and the cluster it belongs to. */
export interface ExistingMatch {
  readonly clusterId: string;
  readonly similarity: number;
}

export interface IncrementalInput {
  readonly batchId: string;
  /** The new media's unit vectors, row-major. */
  readonly vectors: Float32Array;
  readonly dimension: number;
  /** Per new media: its nearest already-clustered media, or null when there is none. */
  readonly existing: readonly (ExistingMatch | null)[];
  /** k-nearest-neighbour graph among the new media themselves. */
  readonly batchGraph: KnnGraph;
  readonly threshold: number;
}

interface NewCluster {
  readonly clusterId: string;
  /** Indexes of the new media in this cluster. */
  readonly members: readonly number[];
  readonly representative: number;
}

export interface IncrementalAssignment {
  /** Cluster id of each new media. */
  readonly clusterIds: readonly string[];
  /** How many new media joined each existing cluster. */
  readonly joined: ReadonlyMap<string, number>;
  readonly newClusters: readonly NewCluster[];
}

/**
 * Assigns a batch of new media without touching existing clusters:
 * - a media whose nearest clustered media is at least `threshold` similar joins that media's cluster;
 * - a media linked (through new media at or above the threshold) to such a media joins the cluster of its group's
 *   strongest link, as a full re-clustering would put them in one component;
 * - the remaining groups of new media become new clusters, marked partial by the caller.
 * Two existing clusters that a batch bridges stay apart until the next full clustering merges them.
 */
export function assignIncrementally(input: IncrementalInput): IncrementalAssignment {
  const { batchGraph: graph, existing } = input;
  const threshold = float32Threshold(input.threshold);
  const n = graph.n;
  if (existing.length !== n || input.vectors.length !== n * input.dimension) {
    throw new Error(
      `assignIncrementally: ${n} graph rows, ${existing.length} matches, ${input.vectors.length / input.dimension} vectors`,
    );
  }
  const sets = new UnionFind(n);
  for (let i = 0; i < n; i++) {
    for (let slot = 0; slot < graph.k; slot++) {
      const j = graph.neighbours[i * graph.k + slot];
      if (j >= 0 && graph.similarities[i * graph.k + slot] >= threshold) sets.union(i, j);
    }
  }

  const anchorOfRoot = new Map<number, ExistingMatch>();
  for (let i = 0; i < n; i++) {
    const match = existing[i];
    if (!match || match.similarity < threshold) continue;
    const root = sets.find(i);
    const anchor = anchorOfRoot.get(root);
    if (!anchor || match.similarity > anchor.similarity) anchorOfRoot.set(root, match);
  }

  const { labels, sizes } = labelSets(sets);
  const rootOfLabel = new Int32Array(sizes.length);
  for (let i = 0; i < n; i++) rootOfLabel[labels[i]] = sets.find(i);
  const newNumberOfLabel = new Int32Array(sizes.length).fill(-1);
  let newCount = 0;
  // labelSets numbers by size, so the new clusters inherit a size order too.
  for (let label = 0; label < sizes.length; label++) {
    if (!anchorOfRoot.has(rootOfLabel[label])) newNumberOfLabel[label] = newCount++;
  }

  const clusterIds: string[] = [];
  const joined = new Map<string, number>();
  const newLabels = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const own = existing[i];
    const anchor = anchorOfRoot.get(sets.find(i));
    const target = own && own.similarity >= threshold ? own : anchor;
    if (target) {
      clusterIds.push(target.clusterId);
      joined.set(target.clusterId, (joined.get(target.clusterId) ?? 0) + 1);
    } else {
      newLabels[i] = newNumberOfLabel[labels[i]];
      clusterIds.push(partialClusterId(input.batchId, newLabels[i]));
    }
  }
  return { clusterIds, joined, newClusters: describeNewClusters(input, newLabels, newCount) };
}

function describeNewClusters(input: IncrementalInput, newLabels: Int32Array, count: number): NewCluster[] {
  const members: number[][] = Array.from({ length: count }, () => []);
  newLabels.forEach((label, i) => {
    if (label >= 0) members[label].push(i);
  });
  // Representatives are computed over the new media only, with labels compacted to the new clusters.
  const memberRows = members.flat();
  const rows = new Int32Array(memberRows);
  const compactLabels = new Int32Array(rows.length);
  const compactVectors = new Float32Array(rows.length * input.dimension);
  rows.forEach((row, position) => {
    compactLabels[position] = newLabels[row];
    compactVectors.set(
      input.vectors.subarray(row * input.dimension, (row + 1) * input.dimension),
      position * input.dimension,
    );
  });
  const chosen = representatives(compactVectors, input.dimension, compactLabels, count);
  return members.map((list, label) => ({
    clusterId: partialClusterId(input.batchId, label),
    members: list,
    representative: rows[chosen[label]],
  }));
}
