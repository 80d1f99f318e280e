import { emptyKnnGraph, type KnnGraph } from '../../core/clustering/knn-graph';
import type { ExactKnn } from './exact-knn';
import { gatherRows, type PartitionIndex, partitionCount } from './partition-index';

/**
 * Partitions searched per partition when building the kNN graph: its own and the nearest others by centroid. On the
 * synthetic data of bench/ 16 partitions of ~64 rows gave recall@10 0.98 against exact search, and every edge ≥ 0.9
 * (bench/README.md).
 */
export const KNN_PROBES = 16;
/** Top cells (its own first) among whose partitions a partition's nearest are looked for. */
const NEAR_CELLS = 6;

/**
 * The kNN graph of all rows through a partition index: the rows of each partition are searched exactly (one GEMM +
 * TopK) among the rows of its KNN_PROBES nearest partitions. Each row costs about KNN_PROBES × PARTITION_SIZE
 * similarities whatever N is, so the graph takes time linear in N. A partition's nearest partitions are looked for
 * among those of the NEAR_CELLS top cells nearest its own (nearPartitions): all K × K centroid pairs would grow as N².
 * `sorted` holds the vectors in partition order (sortedByPartition), so each partition's rows are copied as one block.
 */
export async function partitionedKnnGraph(
  sorted: Float32Array,
  k: number,
  index: PartitionIndex,
  exact: ExactKnn,
): Promise<KnnGraph> {
  const { dimension, partitionStart, order } = index;
  const graph = emptyKnnGraph(order.length, k);
  const partitions = partitionCount(index);
  if (partitions === 0) return graph;
  const near = await nearPartitions(index, exact);
  const searched = (p: number): number[] => {
    const others = near[p].filter((q) => q !== p);
    // The partition's own rows first: they are the queries, so the search can leave each one out of its own list.
    return [p, ...others].slice(0, KNN_PROBES);
  };
  const rowsOf = (p: number) => partitionStart[p + 1] - partitionStart[p];
  let largest = 0;
  for (let p = 0; p < partitions; p++)
    largest = Math.max(
      largest,
      searched(p).reduce((sum, q) => sum + rowsOf(q), 0),
    );
  const candidates = new Float32Array(largest * dimension);
  const candidatePositions = new Uint32Array(largest);
  for (let p = 0; p < partitions; p++) {
    let count = 0;
    for (const q of searched(p)) {
      const start = partitionStart[q];
      const end = partitionStart[q + 1];
      candidates.set(sorted.subarray(start * dimension, end * dimension), count * dimension);
      for (let position = start; position < end; position++) candidatePositions[count++] = position;
    }
    const members = rowsOf(p);
    const local = await exact.search(
      candidates.subarray(0, count * dimension),
      candidates.subarray(0, members * dimension),
      k,
      0,
    );
    for (let m = 0; m < members; m++) {
      const row = order[candidatePositions[m]];
      for (let slot = 0; slot < k; slot++) {
        const neighbour = local.neighbours[m * k + slot];
        graph.neighbours[row * k + slot] = neighbour < 0 ? -1 : order[candidatePositions[neighbour]];
        graph.similarities[row * k + slot] = local.similarities[m * k + slot];
      }
    }
  }
  return graph;
}

/**
 * The KNN_PROBES partitions with the most similar centroids to each partition's, looked for among the partitions of the
 * NEAR_CELLS top cells nearest its own: about K × NEAR_CELLS × √K centroid pairs instead of K × K.
 */
async function nearPartitions(index: PartitionIndex, exact: ExactKnn): Promise<number[][]> {
  const { dimension, topStart, centroids } = index;
  const cells = topStart.length - 1;
  const nearCells = await exact.search(index.topCentroids, index.topCentroids, Math.min(NEAR_CELLS, cells) - 1, 0);
  const near: number[][] = Array.from({ length: partitionCount(index) }, () => []);
  for (let cell = 0; cell < cells; cell++) {
    if (topStart[cell + 1] === topStart[cell]) continue;
    const neighbourCells = [
      cell,
      ...Array.from(nearCells.neighbours.subarray(cell * nearCells.k, (cell + 1) * nearCells.k)).filter((c) => c >= 0),
    ];
    const partitions = neighbourCells.flatMap((c) =>
      Array.from({ length: topStart[c + 1] - topStart[c] }, (_, i) => topStart[c] + i),
    );
    const database = gatherRows(centroids, dimension, partitions);
    const queries = centroids.subarray(topStart[cell] * dimension, topStart[cell + 1] * dimension);
    const hits = await exact.search(database, queries, Math.min(KNN_PROBES, partitions.length));
    for (let q = 0; q < topStart[cell + 1] - topStart[cell]; q++) {
      near[topStart[cell] + q] = Array.from(hits.neighbours.subarray(q * hits.k, (q + 1) * hits.k))
        .filter((i) => i >= 0)
        .map((i) => partitions[i]);
    }
  }
  return near;
}
