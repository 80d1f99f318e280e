import { partialClusterId } from './cluster-ids';
import type { HashRule } from './image-hashes';
import type { KnnGraph } from './knn-graph';
import { representativeOf } from './representatives';
import { clustersAmong, float32Threshold, nearDuplicateEdges, withinHashDistance } from './threshold-components';
import { UnionFind } from './union-find';
import { dot } from './vector-math';

/**
 * The most similar already-clustered media of a new media, and the cluster it belongs to; with the rule's pixel check,
 * the most similar that the check allows (`allowed` false when none of the nearest is: the match then links nothing).
 */
export interface ExistingMatch {
  readonly clusterId: string;
  readonly similarity: number;
  readonly allowed?: boolean;
}

/** Among a new media's k nearest clustered media, the one whose perceptual hash is closest to its own. */
export interface ExistingHashMatch {
  readonly clusterId: string;
  readonly distance: number;
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
  /** The hash half of the rule (the new media's hashes) and, per new media, its closest hash among its clustered kNN. */
  readonly hashes?: { readonly rule: HashRule; readonly existing: readonly (ExistingHashMatch | null)[] };
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
 * Assigns a batch of new media without touching existing clusters, by the rule of a full clustering
 * (nearDuplicateClusters) as far as the clustered side is known here (each new media's nearest clustered media):
 * - a media whose nearest clustered media is at least `threshold` similar (with the pixel check: the nearest the check
 *   allows) joins that media's cluster; else, with a hash rule, one of its k nearest clustered media whose hash is
 *   within the rule's distance (the closest) does;
 * - new media linked by the edges of a full clustering (mutual kNN at the threshold, hash-close kNN) form groups; a
 *   member without a match of its own joins the cluster of the most similar group member that has one, if it is at
 *   least `threshold` similar to that member or hash-close to it (the guard: a chain of new media does not drag
 *   unrelated ones into a cluster);
 * - the others are clustered among themselves as a full clustering would (edges, guard) and become new clusters,
 *   marked partial by the caller.
 * Two existing clusters that a batch bridges stay apart until the next full clustering merges them.
 */
export function assignIncrementally(input: IncrementalInput): IncrementalAssignment {
  const { batchGraph: graph, existing, vectors, dimension } = input;
  const cut = float32Threshold(input.threshold);
  const n = graph.n;
  if (existing.length !== n || vectors.length !== n * dimension) {
    throw new Error(
      `assignIncrementally: ${n} graph rows, ${existing.length} matches, ${vectors.length / dimension} vectors`,
    );
  }
  const hashRule = input.hashes?.rule;
  const edges = nearDuplicateEdges(graph, input.threshold, hashRule);
  const groups = new UnionFind(n);
  for (let e = 0; e < edges.length; e += 2) groups.union(edges[e]!, edges[e + 1]!);
  const ownMatch = (i: number): string | null => {
    const match = existing[i];
    if (match && match.similarity >= cut && match.allowed !== false) return match.clusterId;
    const byHash = input.hashes?.existing[i];
    return byHash && hashRule && byHash.distance <= hashRule.maxDistance ? byHash.clusterId : null;
  };
  const matchedOfGroup = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!ownMatch(i)) continue;
    const root = groups.find(i);
    const list = matchedOfGroup.get(root);
    if (list) list.push(i);
    else matchedOfGroup.set(root, [i]);
  }
  /** The cluster of the most similar group member with a match that i is linked to (at the threshold or hash-close). */
  const throughGroup = (i: number): string | null => {
    let best: number | undefined;
    let bestSimilarity = -Infinity;
    for (const m of matchedOfGroup.get(groups.find(i)) ?? []) {
      const similarity = dot(vectors, i * dimension, vectors, m * dimension, dimension);
      if (similarity > bestSimilarity && (similarity >= cut || withinHashDistance(hashRule, i, m))) {
        bestSimilarity = similarity;
        best = m;
      }
    }
    return best === undefined ? null : ownMatch(best);
  };

  const clusterIds: string[] = new Array(n);
  const joined = new Map<string, number>();
  const left: number[] = [];
  for (let i = 0; i < n; i++) {
    const target = ownMatch(i) ?? throughGroup(i);
    if (target) {
      clusterIds[i] = target;
      joined.set(target, (joined.get(target) ?? 0) + 1);
    } else {
      left.push(i);
    }
  }

  // New clusters numbered largest first (ties: smallest member first), as a full clustering numbers its clusters.
  const newClusters = clustersAmong(left, edges, { vectors, dimension, threshold: input.threshold, hashRule })
    .sort((a, b) => b.length - a.length || a[0]! - b[0]!)
    .map((members, number) => {
      const clusterId = partialClusterId(input.batchId, number);
      for (const i of members) clusterIds[i] = clusterId;
      return { clusterId, members, representative: representativeOf(members, vectors, dimension) };
    });
  return { clusterIds, joined, newClusters };
}
