import { type KnnGraph, emptyKnnGraph } from '../../lambdas/shared/clustering/knn-graph';
import type { ExactKnn } from './exact-knn';
import { type PartitionIndex, partitionCount } from './partition-index';

/**
 * Partitions searched per partition when building the kNN graph: its own and the nearest others by centroid. On the
 * synthetic data of bench/ 16 partitions of ~64 rows gave recall@10 0.98 against exact search, and every edge ≥ 0.9
 * (bench/README.md).
 */
export const KNN_PROBES = 16;

/**
 * The kNN graph of all rows through a partition index: the rows of each partition are searched exactly (one GEMM +
 * TopK) among the rows of its KNN_PROBES nearest partitions. Each row costs about KNN_PROBES × PARTITION_SIZE
 * similarities whatever N is, so the graph takes time linear in N, plus a K × K search among the K ≈ N / 64
 * partition centroids (1 % of the total at a million rows). `sorted` holds the vectors in partition order
 * (sortedByPartition), so each partition's rows are copied as one block.
 */
export async function partitionedKnnGraph(sorted: Float32Array, k: number, index: PartitionIndex, exact: ExactKnn): Promise<KnnGraph> {
  const { dimension, partitionStart, order } = index;
  const graph = emptyKnnGraph(order.length, k);
  const partitions = partitionCount(index);
  if (partitions === 0) return graph;
  const near = await exact.search(index.centroids, index.centroids, Math.min(KNN_PROBES, partitions));
  const searched = (p: number): number[] => {
    const others = Array.from(near.neighbours.subarray(p * near.k, (p + 1) * near.k)).filter((q) => q >= 0 && q !== p);
    // The partition's own rows first: they are the queries, so the search can leave each one out of its own list.
    return [p, ...others].slice(0, KNN_PROBES);
  };
  const rowsOf = (p: number) => partitionStart[p + 1] - partitionStart[p];
  let largest = 0;
  for (let p = 0; p < partitions; p++) largest = Math.max(largest, searched(p).reduce((sum, q) => sum + rowsOf(q), 0));
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
    const local = await exact.search(candidates.subarray(0, count * dimension), candidates.subarray(0, members * dimension), k, 0);
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
