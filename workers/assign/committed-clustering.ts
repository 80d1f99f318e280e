import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Index } from 'usearch';
import { fullClusterId } from '../../lambdas/shared/clustering/cluster-ids';
import type { ExistingMatch } from '../../lambdas/shared/clustering/incremental-assignment';
import { type ClusteringSummary, clusteringKey, downloadToFile, readLabels, readSummary } from '../cluster/clustering-files';
import { NEAREST_EXPANSION_SEARCH, searchHnsw, viewHnswIndex } from '../cluster/hnsw-index';

/**
 * The committed full clustering as the incremental path uses it: its HNSW index opened by memory map and its row →
 * cluster labels read row by row. A query costs O(log N) index work plus one 4-byte read per match, so assigning a
 * batch costs in proportion to the batch, not to the dataset.
 */
export class CommittedClustering {
  private constructor(
    readonly summary: ClusteringSummary,
    private readonly index: Index,
    private readonly labelsPath: string,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /** Opens a clustering whose files are already in `folder` (index.usearch, labels.u32) with its summary. */
  static openLocal(summary: ClusteringSummary, folder: string, cleanup: () => Promise<void> = async () => {}): CommittedClustering {
    const index = viewHnswIndex(join(folder, 'index.usearch'), summary.dimension, NEAREST_EXPANSION_SEARCH);
    if (index.size() !== summary.n_media) throw new Error(`Index holds ${index.size()} vectors, summary says ${summary.n_media}`);
    return new CommittedClustering(summary, index, join(folder, 'labels.u32'), cleanup);
  }

  /** Downloads the clustering's index and labels to a temporary folder and opens them. */
  static async download(s3: S3Client, bucket: string, datasetId: string, clusteringId: string): Promise<CommittedClustering> {
    const summary = await readSummary(s3, bucket, datasetId, clusteringId);
    const folder = await mkdtemp(join(tmpdir(), 'committed-clustering-'));
    try {
      await Promise.all([
        downloadToFile(s3, bucket, clusteringKey(datasetId, clusteringId, 'index'), join(folder, 'index.usearch')),
        downloadToFile(s3, bucket, clusteringKey(datasetId, clusteringId, 'labels'), join(folder, 'labels.u32')),
      ]);
      return CommittedClustering.openLocal(summary, folder, () => rm(folder, { recursive: true, force: true }));
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /** For each query vector: the nearest clustered media's cluster and similarity (null for an empty clustering). */
  async nearest(queries: Float32Array): Promise<(ExistingMatch | null)[]> {
    const dimension = this.summary.dimension;
    const graph = searchHnsw(this.index, queries, dimension, 1);
    const rows = Array.from(graph.neighbours).filter((row) => row >= 0);
    const labels = readLabels(this.labelsPath, rows);
    return Array.from(graph.neighbours, (row, q) =>
      row < 0 ? null : { clusterId: fullClusterId(labels.get(row)!), similarity: graph.similarities[q] },
    );
  }

  async close(): Promise<void> {
    await this.cleanup();
  }
}
