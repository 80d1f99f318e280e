import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fullClusterId } from '../../core/clustering/cluster-ids';
import { ImageHashes } from '../../core/clustering/image-hashes';
import { getDataset } from '../../core/datasets/dataset-repository';
import { OperationSupersededError } from '../../core/pipeline/operation-commit';
import { clusteringPrefix } from '../../core/store/batch-paths';
import { INITIAL_CLUSTERING_ID } from '../../core/store/table-schema';
import { encodeVectors } from '../embed/shard-format';
import type { ExecutionProviderPreference } from '../model/inference-session';
import { type BatchEmbeddings, readBatchEmbeddings } from './batch-embeddings';
import { datasetHashDistance, datasetPixelAgreement, datasetThreshold } from './cluster-env';
import { clusterVectors } from './cluster-vectors';
import { type ClusteringSummary, clusteringKey, encodeLabels, putBytes, putLargeBytes } from './clustering-files';
import { ExactKnn } from './exact-knn';
import { queryBatchMedia } from './media-queries';
import { PARTITION_FILES, partitionLayout, partitionPrintsFile, partitionRowsFile } from './partition-files';
import { PARTITION_SIZE, type PartitionIndex } from './partition-index';
import { clusterItem, type MediaItem, newMediaItem, visibleAssignment } from './table-items';
import { putAll } from './table-writes';

export interface FullClusteringJob {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly datasetId: string;
  /** The operation that holds the dataset; checked before anything is written. */
  readonly operationId: string;
  readonly newClusteringId: string;
  readonly threshold: number;
  /** The pHash distance of a dataset whose embedding_config has none (datasetHashDistance); none: vectors alone. */
  readonly hashDistance?: number;
  /** The pixel check of a dataset whose embedding_config has none (datasetPixelAgreement); none: no check. */
  readonly pixelAgreement?: number;
  readonly k: number;
  /** Used when the dataset has no embedding_config yet (its first indexing); else the stored one wins. */
  readonly dimension?: number;
  readonly executionProvider: ExecutionProviderPreference;
  readonly log: (message: string) => void;
  readonly now?: () => Date;
}

/**
 * Step Cluster (docs/pipeline.md): clusters every committed media from scratch, persists the clustering's files, writes
 * its cluster items and rewrites every media item with `prev_*` = the assignment readers see now. Nothing becomes
 * visible until finish-reindex commits `clustering_id`.
 */
export async function runFullClustering(job: FullClusteringJob): Promise<ClusteringSummary> {
  const dataset = await getDataset(job.client, job.tableName, job.datasetId);
  if (!dataset) throw new Error(`Dataset ${job.datasetId} not found`);
  if (dataset.active_task?.operation_id !== job.operationId)
    throw new OperationSupersededError(job.datasetId, job.operationId);
  const dimension = dataset.embedding_config?.dimension ?? job.dimension;
  const threshold = datasetThreshold(dataset.embedding_config, job.threshold);
  if (!dimension) throw new Error(`Dataset ${job.datasetId} has no embedding_config and no EMBEDDING_CONFIG was given`);
  const committedClusteringId = dataset.clustering_id ?? INITIAL_CLUSTERING_ID;

  const started = Date.now();
  const batches: BatchEmbeddings[] = [];
  for (const batchId of dataset.batches)
    batches.push(await readBatchEmbeddings(job.s3, job.bucket, job.datasetId, batchId, dimension));
  const vectors = concatVectors(batches, dimension);
  const hashes = ImageHashes.fromHex(
    batches.flatMap((batch) => batch.rows.map((row) => row.phash)),
    batches.flatMap((batch) => batch.rows.map((row) => row.print)),
  );
  const hashDistance = datasetHashDistance(dataset.embedding_config, job.hashDistance);
  const minAgreement = datasetPixelAgreement(dataset.embedding_config, job.pixelAgreement);
  const n = vectors.length / dimension;
  job.log(`loaded ${n} vectors of ${batches.length} batches in ${elapsed(started)}`);

  const exact = await ExactKnn.open(dimension, job.executionProvider, job.log);
  const {
    index,
    sorted,
    method,
    labels,
    sizes,
    outliers,
    representatives: chosen,
  } = await clusterVectors(vectors, dimension, {
    k: job.k,
    threshold,
    hashRule:
      hashDistance === undefined
        ? undefined
        : { hashes, maxDistance: hashDistance, ...(minAgreement === undefined ? {} : { minAgreement }) },
    exact,
    log: job.log,
  }).finally(() => exact.release());

  const ids = batches.flatMap((batch) => batch.rows.map((row) => [batch.batchId, row.media_id] as const));
  const summary: ClusteringSummary = {
    n_media: n,
    n_clusters: sizes.length,
    threshold,
    k: job.k,
    batches: [...dataset.batches],
    dimension,
    knn: method,
  };
  await writeClusteringFiles(job, { index, sorted, hashes, ids, labels, outliers, summary });

  const clusterItems = Array.from(sizes, (size, label) =>
    clusterItem({
      datasetId: job.datasetId,
      clusteringId: job.newClusteringId,
      clusterId: fullClusterId(label),
      size,
      representative: ids[chosen[label]][1],
      partial: false,
    }),
  );
  await putAll(job.client, job.tableName, clusterItems);

  let row = 0;
  const addedAt = (job.now?.() ?? new Date()).toISOString();
  for (const batch of batches) {
    const existing = await queryBatchMedia(job.client, job.tableName, job.datasetId, batch.batchId);
    const items = batch.rows.map((media, i) => {
      const assignment = { clusterId: fullClusterId(labels[row + i]), clusteringId: job.newClusteringId };
      const outlier_score = Math.round(outliers[row + i] * 10_000) / 10_000;
      const old = existing.get(media.media_id);
      return old
        ? rewriteMediaItem(old, assignment, outlier_score, committedClusteringId)
        : {
            ...newMediaItem({ datasetId: job.datasetId, batchId: batch.batchId, addedAt }, media, assignment),
            outlier_score,
          };
    });
    row += batch.rows.length;
    await putAll(job.client, job.tableName, items);
  }
  job.log(`wrote ${clusterItems.length} clusters and ${n} media items in ${elapsed(started)}`);
  return summary;
}

/** The media item under the new clustering, remembering what readers see now; a retried run keeps the first `prev_*`. */
function rewriteMediaItem(
  old: MediaItem,
  assignment: { clusterId: string; clusteringId: string },
  outlierScore: number,
  committedClusteringId: string,
): MediaItem {
  const previous =
    old.clustering_id === assignment.clusteringId
      ? { prev_cluster_id: old.prev_cluster_id, prev_clustering_id: old.prev_clustering_id }
      : (({ clusterId, clusteringId }) => ({ prev_cluster_id: clusterId, prev_clustering_id: clusteringId }))(
          visibleAssignment(old, committedClusteringId),
        );
  return {
    ...old,
    cluster_id: assignment.clusterId,
    clustering_id: assignment.clusteringId,
    outlier_score: outlierScore,
    ...previous,
  };
}

interface ClusteringOutput {
  readonly index: PartitionIndex;
  readonly sorted: Float32Array;
  readonly hashes: ImageHashes;
  readonly ids: readonly (readonly [string, string])[];
  readonly labels: Int32Array;
  readonly outliers: Float32Array;
  readonly summary: ClusteringSummary;
}

async function writeClusteringFiles(job: FullClusteringJob, output: ClusteringOutput): Promise<void> {
  const key = (file: Parameters<typeof clusteringKey>[2]) => clusteringKey(job.datasetId, job.newClusteringId, file);
  const partitionKey = (file: keyof typeof PARTITION_FILES) =>
    clusteringPrefix(job.datasetId, job.newClusteringId) + PARTITION_FILES[file];
  const binary = 'application/octet-stream';
  const assignments = output.ids
    .map(([batch_id, media_id], row) =>
      JSON.stringify({
        batch_id,
        media_id,
        cluster_id: fullClusterId(output.labels[row]),
        outlier_score: Math.round(output.outliers[row] * 10_000) / 10_000,
      }),
    )
    .join('\n');
  const { index } = output;
  // No prints file where no media has a print (an encoder without a pixel check): it would be 768 zero bytes per media.
  const printed = output.hashes.hasPrints;
  await Promise.all([
    putBytes(
      job.s3,
      job.bucket,
      partitionKey('layout'),
      JSON.stringify(partitionLayout(index, PARTITION_SIZE, printed)),
      'application/json',
    ),
    putBytes(job.s3, job.bucket, partitionKey('topCentroids'), encodeVectors(index.topCentroids), binary),
    putLargeBytes(job.s3, job.bucket, partitionKey('centroids'), encodeVectors(index.centroids)),
    putLargeBytes(
      job.s3,
      job.bucket,
      partitionKey('rows'),
      partitionRowsFile(index, output.sorted, output.labels, output.hashes),
    ),
    ...(printed
      ? [putLargeBytes(job.s3, job.bucket, partitionKey('prints'), partitionPrintsFile(index, output.hashes))]
      : []),
    putBytes(job.s3, job.bucket, key('ids'), JSON.stringify(output.ids), 'application/json'),
    putLargeBytes(job.s3, job.bucket, key('labels'), encodeLabels(output.labels)),
    putBytes(job.s3, job.bucket, key('assignments'), assignments ? `${assignments}\n` : '', 'application/x-ndjson'),
  ]);
  // The summary last: a clustering with a summary is complete.
  await putBytes(job.s3, job.bucket, key('summary'), JSON.stringify(output.summary), 'application/json');
}

function concatVectors(batches: readonly BatchEmbeddings[], dimension: number): Float32Array {
  const total = batches.reduce((sum, batch) => sum + batch.rows.length, 0);
  const vectors = new Float32Array(total * dimension);
  let offset = 0;
  for (const batch of batches) {
    vectors.set(batch.vectors, offset);
    offset += batch.vectors.length;
  }
  return vectors;
}

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
