import type { Index } from 'usearch';
import type { KnnGraph } from '../../lambdas/shared/clustering/knn-graph';
import type { ExactKnn } from './exact-knn';
import { searchHnsw } from './hnsw-index';

/** Below this many vectors the exact blocked search is about as fast as HNSW on a few cores, and has perfect recall. */
export const EXACT_KNN_BELOW = 20_000;

export type KnnMethod = 'exact' | 'hnsw';

/**
 * The kNN graph of `vectors` against themselves: exact under `exactBelow` (default EXACT_KNN_BELOW), else through an HNSW
 * index over the same vectors (asked for only then).
 */
export async function buildKnnGraph(
  vectors: Float32Array,
  dimension: number,
  k: number,
  search: { exact: ExactKnn; index: () => Index; exactBelow?: number },
): Promise<{ graph: KnnGraph; method: KnnMethod }> {
  const n = vectors.length / dimension;
  if (n < (search.exactBelow ?? EXACT_KNN_BELOW)) return { graph: await search.exact.search(vectors, vectors, k, 0), method: 'exact' };
  return { graph: searchHnsw(search.index(), vectors, dimension, k, 0), method: 'hnsw' };
}
