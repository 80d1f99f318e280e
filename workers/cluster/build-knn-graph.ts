import type { KnnGraph } from '../../core/clustering/knn-graph';
import type { ExactKnn } from './exact-knn';
import type { PartitionIndex } from './partition-index';
import { partitionedKnnGraph } from './partitioned-knn';

/** Below this many vectors exact search costs little (≈ 0.3 s of CPU at 5 000) and has perfect recall. */
export const EXACT_KNN_BELOW = 5_000;

export type KnnMethod = 'exact' | 'partitioned';

/**
 * The kNN graph of `vectors` against themselves: exact under `exactBelow` (default EXACT_KNN_BELOW), else through a
 * partition index over the same vectors (asked for only then; `sorted` = the vectors in its partition order).
 */
export async function buildKnnGraph(
  vectors: Float32Array,
  dimension: number,
  k: number,
  search: {
    exact: ExactKnn;
    partitions: () => Promise<{ index: PartitionIndex; sorted: Float32Array }>;
    exactBelow?: number;
  },
): Promise<{ graph: KnnGraph; method: KnnMethod }> {
  const n = vectors.length / dimension;
  if (n < (search.exactBelow ?? EXACT_KNN_BELOW))
    return { graph: await search.exact.search(vectors, vectors, k, 0), method: 'exact' };
  const { index, sorted } = await search.partitions();
  return { graph: await partitionedKnnGraph(sorted, k, index, search.exact), method: 'partitioned' };
}
