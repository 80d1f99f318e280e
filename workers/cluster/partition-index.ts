import type { ExactKnn } from './exact-knn';
import { nearestCentroid, sphericalKmeans } from './spherical-kmeans';

/** Target media per partition: small, so a lookup reads few vectors; see bench/README.md for how it was chosen. */
export const PARTITION_SIZE = 64;
const KMEANS_ITERATIONS = 6;
/** Partitions larger than this many times the target are split again. */
const OVERSIZE = 2;
/** The top level is trained on a sample of this many rows per top centroid (all rows when fewer). */
const TOP_SAMPLE_PER_CENTROID = 256;

/**
 * A two-level partitioning of unit vectors (an inverted file): √K top cells, each split into partitions of about
 * PARTITION_SIZE rows by k-means over the cell's own rows, K ≈ N / PARTITION_SIZE partitions in all. Neighbours are
 * searched among the rows of the partitions whose centroids are nearest, so a lookup costs a constant number of
 * vectors whatever N is. Partitions are numbered cell by cell: cell c holds partitions [topStart[c], topStart[c+1]).
 */
export interface PartitionIndex {
  readonly dimension: number;
  /** Top cell centroids, row-major. */
  readonly topCentroids: Float32Array;
  /** n top cells + 1 offsets into the partitions. */
  readonly topStart: Uint32Array;
  /** Partition centroids, row-major, in partition order. */
  readonly centroids: Float32Array;
  /** n partitions + 1 offsets into `order`. */
  readonly partitionStart: Uint32Array;
  /** Row numbers, partition by partition: partition p holds order[partitionStart[p] … partitionStart[p+1]). */
  readonly order: Uint32Array;
}

export const partitionCount = (index: PartitionIndex): number => index.partitionStart.length - 1;

export async function buildPartitionIndex(
  vectors: Float32Array,
  dimension: number,
  exact: ExactKnn,
  partitionSize = PARTITION_SIZE,
): Promise<PartitionIndex> {
  const n = vectors.length / dimension;
  if (n === 0) {
    return {
      dimension,
      topCentroids: new Float32Array(0),
      topStart: Uint32Array.of(0),
      centroids: new Float32Array(0),
      partitionStart: Uint32Array.of(0),
      order: new Uint32Array(0),
    };
  }
  const topCount = Math.max(1, Math.round(Math.sqrt(Math.max(1, Math.round(n / partitionSize)))));
  const sample = gatherRows(vectors, dimension, spreadRows(n, Math.min(n, topCount * TOP_SAMPLE_PER_CENTROID)));
  const { centroids: topCentroids } = await sphericalKmeans(sample, dimension, topCount, exact, KMEANS_ITERATIONS);
  const cells = groupRows(await nearestCentroid(exact, topCentroids, vectors), topCentroids.length / dimension);

  const topStart = new Uint32Array(cells.length + 1);
  const centroidParts: Float32Array[] = [];
  const partitionSizes: number[] = [];
  const order = new Uint32Array(n);
  let written = 0;
  for (let cell = 0; cell < cells.length; cell++) {
    const rows = cells[cell];
    if (rows.length > 0) {
      const members = gatherRows(vectors, dimension, rows);
      for (const part of await balancedPartitions(members, dimension, partitionSize, exact)) {
        centroidParts.push(part.centroid);
        for (const member of part.rows) order[written++] = rows[member];
        partitionSizes.push(part.rows.length);
      }
    }
    topStart[cell + 1] = partitionSizes.length;
  }
  const centroids = new Float32Array(partitionSizes.length * dimension);
  centroidParts.forEach((centroid, p) => {
    centroids.set(centroid, p * dimension);
  });
  const partitionStart = new Uint32Array(partitionSizes.length + 1);
  partitionSizes.forEach((size, p) => {
    partitionStart[p + 1] = partitionStart[p]! + size;
  });
  return { dimension, topCentroids, topStart, centroids, partitionStart, order };
}

/**
 * k-means partitions of one cell's rows, with every partition over OVERSIZE × the target split once more by k-means
 * of its own rows: k-means leaves some partitions several times too large, and a lookup that lands in one scans all
 * of it. Partitions k-means left empty are dropped.
 */
async function balancedPartitions(
  members: Float32Array,
  dimension: number,
  partitionSize: number,
  exact: ExactKnn,
): Promise<{ centroid: Float32Array; rows: Uint32Array }[]> {
  const n = members.length / dimension;
  const fine = await sphericalKmeans(
    members,
    dimension,
    Math.max(1, Math.round(n / partitionSize)),
    exact,
    KMEANS_ITERATIONS,
  );
  const out: { centroid: Float32Array; rows: Uint32Array }[] = [];
  const groups = groupRows(fine.labels, fine.centroids.length / dimension);
  for (let partition = 0; partition < groups.length; partition++) {
    const rows = groups[partition];
    if (rows.length === 0) continue;
    if (rows.length <= OVERSIZE * partitionSize) {
      out.push({ centroid: fine.centroids.subarray(partition * dimension, (partition + 1) * dimension), rows });
      continue;
    }
    const split = await sphericalKmeans(
      gatherRows(members, dimension, rows),
      dimension,
      Math.ceil(rows.length / partitionSize),
      exact,
      KMEANS_ITERATIONS,
    );
    groupRows(split.labels, split.centroids.length / dimension).forEach((part, p) => {
      if (part.length > 0)
        out.push({
          centroid: split.centroids.subarray(p * dimension, (p + 1) * dimension),
          rows: part.map((i) => rows[i]),
        });
    });
  }
  return out;
}

/** `count` row numbers spread evenly over [0, n). */
function spreadRows(n: number, count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * n) / count));
}

export function gatherRows(vectors: Float32Array, dimension: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dimension);
  for (let i = 0; i < rows.length; i++)
    out.set(vectors.subarray(rows[i] * dimension, (rows[i] + 1) * dimension), i * dimension);
  return out;
}

/** Row numbers grouped by label (a counting sort: rows keep their order within a group). */
function groupRows(labels: Int32Array, groups: number): Uint32Array[] {
  const counts = new Uint32Array(groups);
  for (const label of labels) counts[label]++;
  const out = Array.from(counts, (count) => new Uint32Array(count));
  const filled = new Uint32Array(groups);
  labels.forEach((label, row) => {
    out[label]![filled[label]!++] = row;
  });
  return out;
}

/** The vectors in partition order (row order[i] at position i): each partition's rows are one contiguous block. */
export const sortedByPartition = (vectors: Float32Array, index: PartitionIndex): Float32Array =>
  gatherRows(vectors, index.dimension, index.order);
