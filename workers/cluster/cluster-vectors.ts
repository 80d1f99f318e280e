import type { HashRule } from '../../core/clustering/image-hashes';
import type { KnnGraph } from '../../core/clustering/knn-graph';
import { outlierScores } from '../../core/clustering/outlier-scores';
import { representatives } from '../../core/clustering/representatives';
import { nearDuplicateClusters } from '../../core/clustering/threshold-components';
import { buildKnnGraph, type KnnMethod } from './build-knn-graph';
import type { ExactKnn } from './exact-knn';
import { buildPartitionIndex, type PartitionIndex, sortedByPartition } from './partition-index';

export interface VectorClustering {
  /** Partition index over all vectors: persisted for the incremental path. */
  readonly index: PartitionIndex;
  /** The vectors in the index's partition order. */
  readonly sorted: Float32Array;
  readonly graph: KnnGraph;
  readonly method: KnnMethod;
  /** Cluster number per row, largest cluster 0. */
  readonly labels: Int32Array;
  readonly sizes: Int32Array;
  readonly outliers: Float32Array;
  /** Representative row per cluster. */
  readonly representatives: Int32Array;
}

/** The compute of a full clustering, I/O aside: partition index, kNN graph, near-duplicate clusters, outlier scores, representatives. */
export async function clusterVectors(
  vectors: Float32Array,
  dimension: number,
  options: {
    k: number;
    threshold: number;
    /** The hash half of the near-duplicate rule, row-aligned with `vectors` (nearDuplicateClusters). */
    hashRule?: HashRule;
    exact: ExactKnn;
    exactBelow?: number;
    log?: (message: string) => void;
  },
): Promise<VectorClustering> {
  const started = Date.now();
  const step = (what: string) => options.log?.(`${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const index = await buildPartitionIndex(vectors, dimension, options.exact);
  const sorted = sortedByPartition(vectors, index);
  step(`partition index of ${index.order.length} vectors built (${index.partitionStart.length - 1} partitions)`);
  const { graph, method } = await buildKnnGraph(vectors, dimension, options.k, {
    exact: options.exact,
    partitions: async () => ({ index, sorted }),
    exactBelow: options.exactBelow,
  });
  step(`${method} kNN graph (k=${options.k}) built`);
  const { labels, sizes } = nearDuplicateClusters(graph, vectors, dimension, options.threshold, options.hashRule);
  const outliers = outlierScores(graph);
  const chosen = representatives(vectors, dimension, labels, sizes.length);
  step(`${sizes.length} clusters at threshold ${options.threshold}`);
  return { index, sorted, graph, method, labels, sizes, outliers, representatives: chosen };
}
