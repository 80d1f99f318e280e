import { dot } from './vector-math';

/**
 * The representative of each cluster: the member with the highest mean similarity to the other members. For unit vectors
 * that mean is dot(v, centroid) up to a constant, so one pass over the members per cluster suffices (no pairwise work).
 * Ties keep the earliest member.
 */
export function representatives(
  vectors: Float32Array,
  dimension: number,
  labels: Int32Array,
  clusterCount: number,
): Int32Array {
  const members = membersByCluster(labels, clusterCount);
  const chosen = new Int32Array(clusterCount);
  const centroid = new Float32Array(dimension);
  for (let cluster = 0; cluster < clusterCount; cluster++) {
    const start = members.offsets[cluster];
    const end = members.offsets[cluster + 1];
    chosen[cluster] = members.items[start];
    if (end - start < 3) continue;
    centroid.fill(0);
    for (let m = start; m < end; m++) {
      const offset = members.items[m] * dimension;
      for (let x = 0; x < dimension; x++) centroid[x] += vectors[offset + x];
    }
    let best = -Infinity;
    for (let m = start; m < end; m++) {
      const score = dot(vectors, members.items[m] * dimension, centroid, 0, dimension);
      if (score > best) {
        best = score;
        chosen[cluster] = members.items[m];
      }
    }
  }
  return chosen;
}

/** Items grouped by label (counting sort): members of cluster c are items[offsets[c] .. offsets[c+1]). */
function membersByCluster(labels: Int32Array, clusterCount: number): { items: Int32Array; offsets: Int32Array } {
  const offsets = new Int32Array(clusterCount + 1);
  for (const label of labels) offsets[label + 1]++;
  for (let c = 0; c < clusterCount; c++) offsets[c + 1] += offsets[c];
  const cursor = offsets.slice(0, clusterCount);
  const items = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) items[cursor[labels[i]]++] = i;
  return { items, offsets };
}

/** The representative of one group of items (listed in increasing order), by the same rule as `representatives`. */
export function representativeOf(members: readonly number[], vectors: Float32Array, dimension: number): number {
  const centroid = new Float32Array(dimension);
  for (const item of members) for (let x = 0; x < dimension; x++) centroid[x] += vectors[item * dimension + x];
  let chosen = members[0]!;
  let best = -Infinity;
  for (const item of members) {
    const score = dot(vectors, item * dimension, centroid, 0, dimension);
    if (score > best) {
      best = score;
      chosen = item;
    }
  }
  return chosen;
}
