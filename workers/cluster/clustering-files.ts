import { closeSync, createWriteStream, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { clusteringPrefix } from '../runtime/batch-paths';

/**
 * Files of one full clustering under `datasets/{ds}/clusterings/{id}/` (docs/pipeline.md, Cluster):
 * - index.usearch    HNSW index (cosine, f16) over every media vector, keyed by row number
 * - vectors.f32      the same vectors, row-major float32 LE
 * - ids.json         [[batch_id, media_id], …] per row
 * - labels.u32       cluster number per row (uint32 LE): lets the incremental path map a neighbour row to its cluster
 *                    with one 4-byte read instead of parsing a file that grows with the dataset
 * - assignments.jsonl {batch_id, media_id, cluster_id, outlier_score} per row
 * - summary.json     see clusteringSummarySchema
 */
export const CLUSTERING_FILES = {
  index: 'index.usearch',
  vectors: 'vectors.f32',
  ids: 'ids.json',
  labels: 'labels.u32',
  assignments: 'assignments.jsonl',
  summary: 'summary.json',
} as const;

export const clusteringSummarySchema = z.object({
  n_media: z.number().int().nonnegative(),
  n_clusters: z.number().int().nonnegative(),
  threshold: z.number(),
  k: z.number().int().positive(),
  /** The committed batches this clustering covers; batches added later are assigned incrementally against it. */
  batches: z.array(z.string()),
  dimension: z.number().int().positive(),
  knn: z.enum(['exact', 'hnsw']),
});
export type ClusteringSummary = z.infer<typeof clusteringSummarySchema>;

export const clusteringKey = (datasetId: string, clusteringId: string, file: keyof typeof CLUSTERING_FILES) =>
  clusteringPrefix(datasetId, clusteringId) + CLUSTERING_FILES[file];

export async function putBytes(s3: S3Client, bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

/** Parts of a multipart upload: few enough requests, small enough to hold one in memory. */
const PART_BYTES = 64 * 1024 * 1024;

/**
 * Uploads a local file (the index can be gigabytes) in parts read one at a time, so memory stays at one part. Parts are
 * sent as buffers, not streams: a streamed body is sent aws-chunked, which S3-compatible servers (s3rver) store verbatim.
 */
export async function putFile(s3: S3Client, bucket: string, key: string, path: string, partBytes = PART_BYTES): Promise<void> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const readPart = async (start: number) => {
      const buffer = Buffer.alloc(Math.min(partBytes, size - start));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
      if (bytesRead !== buffer.length) throw new Error(`Short read of ${path} at ${start}`);
      return buffer;
    };
    if (size <= partBytes) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readPart(0), ContentType: 'application/octet-stream' }));
      return;
    }
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream' }));
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let start = 0, number = 1; start < size; start += partBytes, number++) {
        const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: number, Body: await readPart(start) }));
        parts.push({ ETag: ETag!, PartNumber: number });
      }
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (error) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => {});
      throw error;
    }
  } finally {
    await file.close();
  }
}

export async function downloadToFile(s3: S3Client, bucket: string, key: string, path: string): Promise<void> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await pipeline(object.Body as Readable, createWriteStream(path));
  } catch (error) {
    if (error instanceof NoSuchKey) throw new Error(`s3://${bucket}/${key} does not exist`);
    throw error;
  }
}

export async function readSummary(s3: S3Client, bucket: string, datasetId: string, clusteringId: string): Promise<ClusteringSummary> {
  const key = clusteringKey(datasetId, clusteringId, 'summary');
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = await object.Body!.transformToString('utf8');
  } catch (error) {
    if (error instanceof NoSuchKey) throw new Error(`Clustering ${clusteringId} has no summary (s3://${bucket}/${key})`);
    throw error;
  }
  return clusteringSummarySchema.parse(JSON.parse(text));
}

export const encodeLabels = (labels: Int32Array): Uint8Array => new Uint8Array(Uint32Array.from(labels).buffer);

/**
 * Reads the cluster numbers of `rows` from a local labels.u32 with one positional read per distinct row. The reads are
 * synchronous on purpose: a few microseconds each from the page cache, where a thread-pool round trip costs far more.
 */
export function readLabels(path: string, rows: readonly number[]): Map<number, number> {
  const labels = new Map<number, number>();
  const fd = openSync(path, 'r');
  try {
    const cell = Buffer.alloc(4);
    for (const row of new Set(rows)) {
      if (readSync(fd, cell, 0, 4, row * 4) !== 4) throw new Error(`labels.u32 has no row ${row}`);
      labels.set(row, cell.readUInt32LE(0));
    }
  } finally {
    closeSync(fd);
  }
  return labels;
}
