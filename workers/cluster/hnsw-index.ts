import { Index, MetricKind, ScalarKind } from 'usearch';
import { type KnnGraph, emptyKnnGraph } from '../../lambdas/shared/clustering/knn-graph';

/**
 * HNSW parameters, chosen on synthetic clustered 512-d data (bench/README.md): recall@10 against exact search 0.996
 * at 10k. f16 storage halves the vectors against f32 at no measurable recall cost; i8 fell to 0.87 (quantisation
 * ties). M=32 cost no more CPU than M=16 at 160k and found more neighbours.
 */
export const HNSW_SETTINGS = {
  metric: MetricKind.Cos,
  quantization: ScalarKind.F16,
  connectivity: 32,
  expansion_add: 64,
  expansion_search: 64,
} as const;

/**
 * Search breadth for the incremental path's nearest-neighbour lookups: a near-duplicate missed there becomes a new
 * cluster until the next full clustering, and there are only as many lookups as new media. At 100k synthetic media
 * ef=256 found 496–500 of 500 near-duplicates where ef=64 found 473–478, for < 0.3 ms per lookup.
 */
export const NEAREST_EXPANSION_SEARCH = 256;

/** Builds a cosine HNSW index over `vectors` (row-major), keyed by row number. */
export function buildHnswIndex(vectors: Float32Array, dimension: number): Index {
  const n = vectors.length / dimension;
  const index = new Index({ dimensions: dimension, ...HNSW_SETTINGS, multi: false });
  if (n === 0) return index;
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  index.add(keys, vectors, 0);
  return index;
}

/** Opens a saved index without reading it into memory (mmap): cost follows the searches, not the index size. */
export function viewHnswIndex(path: string, dimension: number, expansionSearch: number = HNSW_SETTINGS.expansion_search): Index {
  const index = new Index({ dimensions: dimension, ...HNSW_SETTINGS, expansion_search: expansionSearch, multi: false });
  index.view(path);
  if (index.dimensions() !== dimension) throw new Error(`Index ${path} has dimension ${index.dimensions()}, expected ${dimension}`);
  return index;
}

/**
 * k nearest rows of the index for each query (row-major). With `selfOffset`, query q is index row selfOffset + q and is
 * left out of its own neighbours. Similarity = 1 − cosine distance.
 */
export function searchHnsw(index: Index, queries: Float32Array, dimension: number, k: number, selfOffset?: number): KnnGraph {
  const q = queries.length / dimension;
  const graph = emptyKnnGraph(q, k);
  const size = index.size();
  const take = Math.min(size, k + (selfOffset === undefined ? 0 : 1));
  if (q === 0 || take === 0) return graph;
  // One query comes back as Matches, several as BatchMatches; searching row by row keeps a single shape.
  const matches = index.search(queries, take, 0) as unknown as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
  for (let query = 0; query < q; query++) {
    const count = matches.counts ? Number(matches.counts[query]) : Math.min(take, matches.keys.length);
    const self = selfOffset === undefined ? -1 : selfOffset + query;
    let slot = 0;
    for (let c = 0; c < count && slot < k; c++) {
      const neighbour = Number(matches.keys[query * take + c]);
      if (neighbour === self) continue;
      graph.neighbours[query * k + slot] = neighbour;
      graph.similarities[query * k + slot] = 1 - matches.distances[query * take + c];
      slot++;
    }
  }
  return graph;
}
