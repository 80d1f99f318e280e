import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type HashRule, ImageHashes, pixelsAllow } from '../../core/clustering/image-hashes';
import {
  assignIncrementally,
  type ExistingHashMatch,
  type ExistingMatch,
} from '../../core/clustering/incremental-assignment';
import { getDataset } from '../../core/datasets/dataset-repository';
import { isDuplicateReason } from '../../core/media/duplicate-reason';
import { writeBatchArtifact } from '../../core/pipeline/batch-artifacts';
import { OperationSupersededError } from '../../core/pipeline/operation-commit';
import { INITIAL_CLUSTERING_ID } from '../../core/store/table-schema';
import { type BatchEmbeddings, readBatchEmbeddings } from '../cluster/batch-embeddings';
import { buildKnnGraph } from '../cluster/build-knn-graph';
import { datasetHashDistance, datasetPixelAgreement, datasetThreshold } from '../cluster/cluster-env';
import { ExactKnn } from '../cluster/exact-knn';
import { queryBatchMedia } from '../cluster/media-queries';
import { buildPartitionIndex, sortedByPartition } from '../cluster/partition-index';
import { clusterItem, newMediaItem, visibleAssignment } from '../cluster/table-items';
import { putAll } from '../cluster/table-writes';
import type { ExecutionProviderPreference } from '../model/inference-session';
import { addJoinedSizes } from './cluster-size-updates';
import { CommittedClustering } from './committed-clustering';
import { nearestAllowed, type VectorLinkCheck } from './partition-search';

export interface AssignJob {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly datasetId: string;
  /** The add operation; also the batch id. */
  readonly batchId: string;
  /** CLUSTERING_ID when set; else the dataset's committed clustering, else `initial`. */
  readonly clusteringId?: string;
  readonly threshold: number;
  /** The pHash distance of a dataset whose embedding_config has none (datasetHashDistance); none: vectors alone. */
  readonly hashDistance?: number;
  /** The pixel check of a dataset whose embedding_config has none (datasetPixelAgreement); none: no check. */
  readonly pixelAgreement?: number;
  /** Neighbours per new media in the graph among the batch. */
  readonly k: number;
  /** Used when the dataset has no embedding_config yet (its first indexing); else the stored one wins. */
  readonly dimension?: number;
  readonly executionProvider: ExecutionProviderPreference;
  readonly log: (message: string) => void;
  readonly now?: () => Date;
}

/** assign.json (docs/pipeline.md, Assign). */
export interface AssignSummary {
  readonly n_images: number;
  readonly n_videos: number;
  readonly n_skipped: number;
  /** Of the skipped, those whose bytes the dataset already held (embed's content-hash check). */
  readonly n_duplicates: number;
  readonly skipped: readonly { name: string; reason: string }[];
  readonly n_new_clusters: number;
  readonly n_joined: number;
}

const SKIPPED_LISTED = 1000;

/**
 * Step Assign: places the batch's media into the committed clustering without re-clustering anything. Each new media
 * is compared with (1) the committed clustering's index, (2) media of batches added since that clustering (few),
 * (3) the other new media; see assignIncrementally for the rule. Writes the (still invisible) media items, the new
 * partial clusters, the joined clusters' sizes and assign.json.
 */
export async function runAssign(job: AssignJob): Promise<AssignSummary> {
  const dataset = await getDataset(job.client, job.tableName, job.datasetId);
  if (!dataset) throw new Error(`Dataset ${job.datasetId} not found`);
  if (dataset.active_task?.operation_id !== job.batchId) throw new OperationSupersededError(job.datasetId, job.batchId);
  const dimension = dataset.embedding_config?.dimension ?? job.dimension;
  if (!dimension) throw new Error(`Dataset ${job.datasetId} has no embedding_config and no EMBEDDING_CONFIG was given`);
  const clusteringId = job.clusteringId || dataset.clustering_id || INITIAL_CLUSTERING_ID;
  const started = Date.now();

  const batch = await readBatchEmbeddings(job.s3, job.bucket, job.datasetId, job.batchId, dimension);
  const committed =
    clusteringId === INITIAL_CLUSTERING_ID
      ? undefined
      : await CommittedClustering.fromS3(job.s3, job.bucket, job.datasetId, clusteringId);
  const exact = await ExactKnn.open(dimension, job.executionProvider, job.log);
  try {
    const covered = new Set(committed?.summary.batches ?? []);
    const sinceIds = dataset.batches.filter((id) => !covered.has(id) && id !== job.batchId);
    const since = await readSinceBatches(job, sinceIds, dimension, clusteringId);

    const threshold = datasetThreshold(dataset.embedding_config, job.threshold);
    const hashDistance = datasetHashDistance(dataset.embedding_config, job.hashDistance);
    const minAgreement = datasetPixelAgreement(dataset.embedding_config, job.pixelAgreement);
    const hashRule: HashRule | undefined =
      hashDistance === undefined
        ? undefined
        : {
            hashes: ImageHashes.fromHex(
              batch.rows.map((row) => row.phash),
              batch.rows.map((row) => row.print),
            ),
            maxDistance: hashDistance,
            ...(minAgreement === undefined ? {} : { minAgreement }),
          };
    const check = hashRule?.minAgreement === undefined ? undefined : vectorLinkCheck(hashRule, threshold);
    const none = batch.rows.map(() => null);
    const fromIndex = !committed
      ? { nearest: none, byHash: none }
      : hashRule
        ? await committed.nearestWithHashes(batch.vectors, hashRule.hashes, job.k, exact, check)
        : { nearest: await committed.nearest(batch.vectors, exact), byHash: none };
    const fromSince = await nearestAmong(
      exact,
      since,
      batch.vectors,
      hashRule && { of: hashRule.hashes, k: job.k, check },
    );
    const existing = fromIndex.nearest.map((match, i) => better(match, fromSince.nearest[i]));
    const existingByHash = fromIndex.byHash.map((match, i) => closerHash(match, fromSince.byHash[i]));
    const { graph: batchGraph } = await buildKnnGraph(batch.vectors, dimension, job.k, {
      exact,
      partitions: async () => {
        const index = await buildPartitionIndex(batch.vectors, dimension, exact);
        return { index, sorted: sortedByPartition(batch.vectors, index) };
      },
    });
    const assignment = assignIncrementally({
      batchId: job.batchId,
      vectors: batch.vectors,
      dimension,
      existing,
      batchGraph,
      threshold,
      ...(hashRule ? { hashes: { rule: hashRule, existing: existingByHash } } : {}),
    });
    job.log(
      `assigned ${batch.rows.length} media against ${committed?.summary.n_media ?? 0} clustered + ${since.clusterIds.length} recent ` +
        `in ${((Date.now() - started) / 1000).toFixed(2)} s: ${assignment.joined.size} clusters joined, ${assignment.newClusters.length} new`,
    );

    const addedAt = (job.now?.() ?? new Date()).toISOString();
    const at = { datasetId: job.datasetId, batchId: job.batchId, addedAt };
    await putAll(
      job.client,
      job.tableName,
      batch.rows.map((row, i) => newMediaItem(at, row, { clusterId: assignment.clusterIds[i], clusteringId })),
    );
    await putAll(
      job.client,
      job.tableName,
      assignment.newClusters.map((cluster) =>
        clusterItem({
          datasetId: job.datasetId,
          clusteringId,
          clusterId: cluster.clusterId,
          size: cluster.members.length,
          representative: batch.rows[cluster.representative].media_id,
          partial: true,
          batchId: job.batchId,
        }),
      ),
    );
    await addJoinedSizes(
      job.client,
      job.tableName,
      { datasetId: job.datasetId, clusteringId, batchId: job.batchId },
      assignment.joined,
    );

    const summary: AssignSummary = {
      n_images: batch.rows.filter((row) => row.type === 'image').length,
      n_videos: batch.rows.filter((row) => row.type === 'video').length,
      n_skipped: batch.skipped.length,
      n_duplicates: batch.skipped.filter((media) => isDuplicateReason(media.reason)).length,
      skipped: batch.skipped.slice(0, SKIPPED_LISTED),
      n_new_clusters: assignment.newClusters.length,
      n_joined: [...assignment.joined.values()].reduce((sum, count) => sum + count, 0),
    };
    await writeBatchArtifact(
      { s3: job.s3, bucket: job.bucket, datasetId: job.datasetId, batchId: job.batchId },
      'assign.json',
      summary,
    );
    return summary;
  } finally {
    await exact.release();
  }
}

interface SinceBatches {
  readonly vectors: Float32Array;
  readonly hashes: ImageHashes;
  readonly clusterIds: readonly string[];
}

/** Vectors of the batches committed after the clustering, with the clusters their media were assigned to. */
async function readSinceBatches(
  job: AssignJob,
  batchIds: readonly string[],
  dimension: number,
  clusteringId: string,
): Promise<SinceBatches> {
  const batches: BatchEmbeddings[] = [];
  const clusterIds: string[] = [];
  const hashes: (string | undefined)[] = [];
  const prints: (string | undefined)[] = [];
  for (const batchId of batchIds) {
    const batch = await readBatchEmbeddings(job.s3, job.bucket, job.datasetId, batchId, dimension);
    const items = await queryBatchMedia(job.client, job.tableName, job.datasetId, batchId);
    for (const row of batch.rows) {
      const item = items.get(row.media_id);
      if (!item) throw new Error(`Committed batch ${batchId} has no media item for ${row.media_id}`);
      clusterIds.push(visibleAssignment(item, clusteringId).clusterId);
      hashes.push(row.phash);
      prints.push(row.print);
    }
    batches.push(batch);
  }
  const vectors = new Float32Array(clusterIds.length * dimension);
  let offset = 0;
  for (const batch of batches) {
    vectors.set(batch.vectors, offset);
    offset += batch.vectors.length;
  }
  return { vectors, hashes: ImageHashes.fromHex(hashes, prints), clusterIds };
}

/** The rule's pixel check between new media (the rule's hashes) and clustered ones, for the nearest searches. */
const vectorLinkCheck = (rule: HashRule, threshold: number): VectorLinkCheck => ({
  threshold,
  allows: (query, candidate) => pixelsAllow(rule, query, 0, candidate),
});

/** Like CommittedClustering.nearestWithHashes, among the media of the batches added since the clustering. */
async function nearestAmong(
  exact: ExactKnn,
  since: SinceBatches,
  queries: Float32Array,
  hashes: { readonly of: ImageHashes; readonly k: number; readonly check?: VectorLinkCheck } | undefined,
): Promise<{ nearest: (ExistingMatch | null)[]; byHash: (ExistingHashMatch | null)[] }> {
  const graph = await exact.search(since.vectors, queries, hashes?.k ?? 1);
  const rows = Array.from({ length: graph.n }, (_, q) => graph.neighbours.subarray(q * graph.k, (q + 1) * graph.k));
  const check = hashes?.check;
  return {
    nearest: rows.map((row, q) => {
      if (row[0] < 0) return null;
      const ordered = Array.from(row, (media, slot) => ({
        media,
        similarity: graph.similarities[q * graph.k + slot],
      })).filter((candidate) => candidate.media >= 0);
      const chosen = check
        ? nearestAllowed(ordered, { ...check, allows: (c) => check.allows(q, since.hashes.gather([c.media])) })
        : { nearest: ordered[0]!, allowed: true };
      const match = { clusterId: since.clusterIds[chosen.nearest.media], similarity: chosen.nearest.similarity };
      return chosen.allowed ? match : { ...match, allowed: false };
    }),
    byHash: rows.map((row, q) => {
      let closest: ExistingHashMatch | null = null;
      for (const media of row) {
        const distance = media < 0 || !hashes ? Number.POSITIVE_INFINITY : hashes.of.distance(q, media, since.hashes);
        if (Number.isFinite(distance) && (!closest || distance < closest.distance))
          closest = { clusterId: since.clusterIds[media], distance };
      }
      return closest;
    }),
  };
}

const closerHash = (a: ExistingHashMatch | null, b: ExistingHashMatch | null): ExistingHashMatch | null =>
  !a ? b : !b ? a : b.distance < a.distance ? b : a;

/** The more similar match, a match the pixel check allows before one it does not. */
const better = (a: ExistingMatch | null, b: ExistingMatch | null): ExistingMatch | null => {
  if (!a || !b) return a ?? b;
  if ((a.allowed === false) !== (b.allowed === false)) return a.allowed === false ? b : a;
  return b.similarity > a.similarity ? b : a;
};
