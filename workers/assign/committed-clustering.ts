import type { S3Client } from '@aws-sdk/client-s3';
import { fullClusterId } from '../../core/clustering/cluster-ids';
import type { ImageHashes } from '../../core/clustering/image-hashes';
import type { ExistingHashMatch, ExistingMatch } from '../../core/clustering/incremental-assignment';
import { clusteringPrefix } from '../../core/store/batch-paths';
import { type ClusteringSummary, readSummary } from '../cluster/clustering-files';
import type { ExactKnn } from '../cluster/exact-knn';
import { PartitionSearch, type VectorLinkCheck } from './partition-search';
import { type RangedReader, s3RangedReader } from './ranged-reader';

/**
 * The committed full clustering as the incremental path uses it: its summary and its partition index, searched by
 * byte-range reads of the clustering's files (nothing is downloaded whole but the layout and the top centroids).
 */
export class CommittedClustering {
  private constructor(
    readonly summary: ClusteringSummary,
    private readonly search: PartitionSearch,
  ) {}

  /** Opens a clustering whose files `reader` serves, with its summary. */
  static async open(summary: ClusteringSummary, reader: RangedReader): Promise<CommittedClustering> {
    const search = await PartitionSearch.open(reader, summary.dimension);
    if (search.size !== summary.n_media)
      throw new Error(`Partition index holds ${search.size} media, summary says ${summary.n_media}`);
    return new CommittedClustering(summary, search);
  }

  static async fromS3(
    s3: S3Client,
    bucket: string,
    datasetId: string,
    clusteringId: string,
  ): Promise<CommittedClustering> {
    const summary = await readSummary(s3, bucket, datasetId, clusteringId);
    return CommittedClustering.open(summary, s3RangedReader(s3, bucket, clusteringPrefix(datasetId, clusteringId)));
  }

  /** For each query vector: the nearest clustered media's cluster and similarity (null for an empty clustering). */
  async nearest(queries: Float32Array, exact: ExactKnn): Promise<(ExistingMatch | null)[]> {
    const rows = await this.search.nearest(queries, exact);
    return rows.map((row) => (row ? { clusterId: fullClusterId(row.label), similarity: row.similarity } : null));
  }

  /**
   * nearest() (with `check`, the nearest it allows among the `k` nearest: PartitionSearch.nearest), and for each query
   * the hash-closest of its `k` nearest clustered media (null where none has a hash).
   */
  async nearestWithHashes(
    queries: Float32Array,
    hashes: ImageHashes,
    k: number,
    exact: ExactKnn,
    check?: VectorLinkCheck,
  ): Promise<{ nearest: (ExistingMatch | null)[]; byHash: (ExistingHashMatch | null)[] }> {
    const rows = await this.search.nearest(queries, exact, { of: hashes, k, check });
    return {
      nearest: rows.map((row) =>
        row
          ? {
              clusterId: fullClusterId(row.label),
              similarity: row.similarity,
              ...(row.allowed === false ? { allowed: false } : {}),
            }
          : null,
      ),
      byHash: rows.map((row) =>
        row?.byHash ? { clusterId: fullClusterId(row.byHash.label), distance: row.byHash.distance } : null,
      ),
    };
  }
}
