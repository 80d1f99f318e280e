import { type HashRule, pixelsAllow } from './image-hashes';
import type { KnnGraph } from './knn-graph';
import { representativeOf } from './representatives';
import { dot } from './vector-math';

export interface Components {
  /** Cluster number of each item: 0 is the largest cluster; ties keep the order of their smallest member. */
  readonly labels: Int32Array;
  readonly sizes: Int32Array;
}

/**
 * Near-duplicate clusters of a kNN graph that do not chain (issue 9: single-link components of every edge at the
 * threshold joined 688 unrelated images through stray edges):
 * 1. edges only between mutual k-nearest neighbours whose similarity is at least `threshold`: an image in a dense
 *    region (many similar-looking sprites) is nobody's link to everything around it;
 * 2. connected components of those edges;
 * 3. the guard: a component keeps only the members at least `threshold` similar to its representative (the member
 *    closest to its centre); the members it drops are clustered again among themselves, with the same rule.
 * With a hash rule (the encoder's calibrated `phash_distance`), two media are also linked when they are kNN neighbours
 * (either way) whose perceptual hashes are at most that far apart, and the guard keeps a member that close to the
 * representative too: pHash finds the resized, recompressed and re-exposed copies that the encoder places just below
 * its threshold, and the encoder finds the crops and rotations pHash cannot (bench/README.md). With the rule's pixel
 * check (`pixel_agreement`), a link by the vectors alone also needs the two media's pixel prints to agree once aligned:
 * the encoder finds look-alikes (two frames of a sprite, two renders of a level) as close as it finds crops.
 * Linear in n·k for the edges; the guard costs one pass over a group per split, and groups split rarely (the
 * representative keeps the members that the edges joined for being alike).
 */
export function nearDuplicateClusters(
  graph: KnnGraph,
  vectors: Float32Array,
  dimension: number,
  threshold: number,
  hashRule?: HashRule,
): Components {
  const labelOf = new Int32Array(graph.n);
  const clusters = clustersAmong(null, nearDuplicateEdges(graph, threshold, hashRule), {
    vectors,
    dimension,
    threshold,
    hashRule,
  });
  clusters.forEach((members, label) => {
    for (const i of members) labelOf[i] = label;
  });
  return numberBySize(labelOf, clusters.length);
}

/**
 * Steps 2 and 3 of nearDuplicateClusters for `items` (every row of `vectors` when null): components of the edges
 * between them, each split by the guard, the dropped members clustered again among themselves.
 */
export function clustersAmong(items: readonly number[] | null, edges: Int32Array, space: ClusterSpace): number[][] {
  const n = space.vectors.length / space.dimension;
  const cut = float32Threshold(space.threshold);
  const graph = new Adjacency(n, edges);
  const clusters: number[][] = [];
  const pending = graph.components(items ?? Array.from({ length: n }, (_, i) => i));
  for (let group = pending.pop(); group; group = pending.pop()) {
    const { members, dropped } = splitByRepresentative(group, space, cut);
    clusters.push(members);
    if (dropped.length > 0) pending.push(...graph.components(dropped));
  }
  return clusters;
}

/** The vectors a clustering works on, its threshold and, optionally, its hash rule. */
export interface ClusterSpace {
  readonly vectors: Float32Array;
  readonly dimension: number;
  readonly threshold: number;
  readonly hashRule?: HashRule;
}

/**
 * Edges i–j (each once, smaller first): j among i's neighbours and i among j's, at or above the threshold (and, with
 * the rule's pixel check, agreeing by their prints); with a hash rule also j among i's neighbours or i among j's, with
 * hashes at most `maxDistance` apart.
 */
export function nearDuplicateEdges(graph: KnnGraph, threshold: number, hashRule?: HashRule): Int32Array {
  const cut = float32Threshold(threshold);
  const { k, neighbours, similarities } = graph;
  const lists = (from: number, to: number) => {
    for (let slot = 0; slot < k; slot++) if (neighbours[from * k + slot] === to) return true;
    return false;
  };
  const hashClose = (i: number, j: number) =>
    hashRule !== undefined && hashRule.hashes.distance(i, j) <= hashRule.maxDistance;
  const pairs: number[] = [];
  for (let i = 0; i < graph.n; i++) {
    for (let slot = 0; slot < k; slot++) {
      const j = neighbours[i * k + slot]!;
      if (j < 0 || j === i) continue;
      // A pair listed both ways is decided once, from its smaller end.
      if (j > i) {
        if (hashClose(i, j) || (similarities[i * k + slot]! >= cut && lists(j, i) && pixelsAllow(hashRule, i, j)))
          pairs.push(i, j);
      } else if (!lists(j, i) && hashClose(i, j)) {
        pairs.push(j, i);
      }
    }
  }
  return Int32Array.from(pairs);
}

/** Edge lists in compressed rows, so that components of a subset cost the subset's edges only. */
class Adjacency {
  private readonly start: Int32Array;
  private readonly next: Int32Array;
  /** Stamps of the last `components` call that allowed / reached an item: nothing to clear between calls. */
  private readonly allowed: Int32Array;
  private readonly seen: Int32Array;
  private call = 0;

  constructor(n: number, edges: Int32Array) {
    this.start = new Int32Array(n + 1);
    for (const item of edges) this.start[item + 1]!++;
    for (let i = 0; i < n; i++) this.start[i + 1]! += this.start[i]!;
    const fill = this.start.slice(0, n);
    this.next = new Int32Array(edges.length);
    for (let e = 0; e < edges.length; e += 2) {
      const a = edges[e]!;
      const b = edges[e + 1]!;
      this.next[fill[a]!++] = b;
      this.next[fill[b]!++] = a;
    }
    this.allowed = new Int32Array(n);
    this.seen = new Int32Array(n);
  }

  /** Connected components among `items` (edges leaving them are ignored), members in increasing order. */
  components(items: readonly number[]): number[][] {
    const stamp = ++this.call;
    for (const i of items) this.allowed[i] = stamp;
    const groups: number[][] = [];
    for (const first of items) {
      if (this.seen[first] === stamp) continue;
      this.seen[first] = stamp;
      const group = [first];
      for (let head = 0; head < group.length; head++) {
        const item = group[head]!;
        for (let e = this.start[item]!; e < this.start[item + 1]!; e++) {
          const other = this.next[e]!;
          if (this.allowed[other] === stamp && this.seen[other] !== stamp) {
            this.seen[other] = stamp;
            group.push(other);
          }
        }
      }
      groups.push(group.sort((a, b) => a - b));
    }
    return groups;
  }
}

/**
 * The guard for one group: its representative (closest to the group's centre) keeps the members at least `cut`
 * similar to it, or within the hash rule's distance of it; the others are returned as `dropped`. Groups of two are
 * kept whole: their one edge satisfies the rule.
 */
function splitByRepresentative(
  members: readonly number[],
  space: ClusterSpace,
  cut: number,
): { members: number[]; dropped: number[] } {
  if (members.length <= 2) return { members: [...members], dropped: [] };
  const { vectors, dimension } = space;
  const representative = representativeOf(members, vectors, dimension);
  const kept: number[] = [];
  const dropped: number[] = [];
  for (const i of members) {
    const keep =
      i === representative ||
      dot(vectors, i * dimension, vectors, representative * dimension, dimension) >= cut ||
      withinHashDistance(space.hashRule, i, representative);
    (keep ? kept : dropped).push(i);
  }
  return { members: kept, dropped };
}

/** Whether items i and j of the rule's hashes are at most its distance apart (false without a rule). */
export const withinHashDistance = (rule: HashRule | undefined, i: number, j: number): boolean =>
  rule !== undefined && rule.hashes.distance(i, j) <= rule.maxDistance;

/** Renumbers clusters by decreasing size (ties: smallest member first) so that cluster ids sort by importance. */
function numberBySize(labelOf: Int32Array, count: number): Components {
  const size = new Int32Array(count);
  const firstMember = new Int32Array(count).fill(-1);
  labelOf.forEach((label, i) => {
    size[label]!++;
    if (firstMember[label]! < 0) firstMember[label] = i;
  });
  const order = Array.from({ length: count }, (_, label) => label).sort(
    (a, b) => size[b]! - size[a]! || firstMember[a]! - firstMember[b]!,
  );
  const renumber = new Int32Array(count);
  const sizes = new Int32Array(count);
  order.forEach((label, rank) => {
    renumber[label] = rank;
    sizes[rank] = size[label]!;
  });
  return { labels: labelOf.map((label) => renumber[label]!), sizes };
}

/** Similarities are float32; comparing them with the float32 rounding of the threshold makes "exactly at" count. */
export const float32Threshold = (threshold: number): number => Math.fround(threshold);
