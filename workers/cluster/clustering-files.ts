import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { z } from 'zod';
import { clusteringPrefix } from '../../core/store/batch-paths';

/**
 * Files of one full clustering under `datasets/{ds}/clusterings/{id}/` (docs/pipeline.md, Cluster):
 * - ids.json         [[batch_id, media_id], …] per row
 * - labels.u32       cluster number per row (uint32 LE)
 * - assignments.jsonl {batch_id, media_id, cluster_id, outlier_score} per row
 * - summary.json     see clusteringSummarySchema
 * and the partition index the incremental path searches (partition-files.ts).
 */
export const CLUSTERING_FILES = {
  ids: 'ids.json',
  labels: 'labels.u32',
  assignments: 'assignments.jsonl',
  summary: 'summary.json',
} as const;

const clusteringSummarySchema = z.object({
  n_media: z.number().int().nonnegative(),
  n_clusters: z.number().int().nonnegative(),
  threshold: z.number(),
  k: z.number().int().positive(),
  /** The committed batches this clustering covers; batches added later are assigned incrementally against it. */
  batches: z.array(z.string()),
  dimension: z.number().int().positive(),
  knn: z.enum(['exact', 'partitioned']),
});
export type ClusteringSummary = z.infer<typeof clusteringSummarySchema>;

export const clusteringKey = (datasetId: string, clusteringId: string, file: keyof typeof CLUSTERING_FILES) =>
  clusteringPrefix(datasetId, clusteringId) + CLUSTERING_FILES[file];

export async function putBytes(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array | string,
  contentType: string,
): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

/** Parts of a multipart upload: few enough requests, small enough to hold a few in memory. */
const PART_BYTES = 64 * 1024 * 1024;
/** Parts sent at once (lib-storage's default is 4); each is a view of the caller's bytes, not a copy. */
const PARALLEL_PARTS = 4;

/**
 * Uploads bytes that can exceed a single PUT (5 GB: the partition vectors of ten million media are 20 GB) with
 * lib-storage's Upload: one PUT up to `partBytes`, else a multipart upload with parts in parallel, aborted on failure.
 * The body is a buffer, so parts are buffers too (a streamed body would be sent aws-chunked, which S3-compatible
 * servers such as s3rver store verbatim).
 */
export async function putLargeBytes(
  s3: S3Client,
  bucket: string,
  key: string,
  bytes: Uint8Array,
  partBytes = PART_BYTES,
): Promise<void> {
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: bytes, ContentType: 'application/octet-stream' },
    partSize: partBytes,
    queueSize: PARALLEL_PARTS,
    leavePartsOnError: false,
  });
  await upload.done();
}

export async function readSummary(
  s3: S3Client,
  bucket: string,
  datasetId: string,
  clusteringId: string,
): Promise<ClusteringSummary> {
  const key = clusteringKey(datasetId, clusteringId, 'summary');
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = await object.Body!.transformToString('utf8');
  } catch (error) {
    if (error instanceof NoSuchKey)
      throw new Error(`Clustering ${clusteringId} has no summary (s3://${bucket}/${key})`);
    throw error;
  }
  return clusteringSummarySchema.parse(JSON.parse(text));
}

export const encodeLabels = (labels: Int32Array): Uint8Array => new Uint8Array(Uint32Array.from(labels).buffer);
