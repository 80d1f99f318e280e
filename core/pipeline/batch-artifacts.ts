import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';

/** S3 layout of one operation's artefacts (docs/data-model.md "S3 layout", docs/pipeline.md). */
export const batchPrefix = (datasetId: string, batchId: string) => `datasets/${datasetId}/batches/${batchId}/`;
export const clusteringPrefix = (datasetId: string, clusteringId: string) =>
  `datasets/${datasetId}/clusterings/${clusteringId}/`;
export const stagingPrefix = (datasetId: string, operationId: string) => `staging/${datasetId}/${operationId}/`;

const count = z.int().check(z.nonnegative());
const skippedList = z.array(z.object({ name: z.string(), reason: z.string() }));

const discoverySchema = z.object({
  n_images: count,
  n_videos: count,
  n_objects: z._default(count, 0),
  n_parts: count,
  n_skipped: z._default(count, 0),
  skipped: z._default(skippedList, []),
  total_bytes: z._default(count, 0),
});

const assignResultSchema = z.object({
  n_images: count,
  n_videos: count,
  n_skipped: z._default(count, 0),
  n_duplicates: z._default(count, 0),
  skipped: z._default(skippedList, []),
});

class MissingArtifactError extends Error {
  override readonly name = 'MissingArtifact';
}

export interface BatchLocation {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly datasetId: string;
  readonly batchId: string;
}

export const readDiscovery = (at: BatchLocation) => readArtifact(at, 'discovery.json', discoverySchema);
export const readAssignResult = (at: BatchLocation) => readArtifact(at, 'assign.json', assignResultSchema);

export async function writeBatchArtifact(at: BatchLocation, name: string, body: unknown): Promise<void> {
  await at.s3.send(
    new PutObjectCommand({
      Bucket: at.bucket,
      Key: batchPrefix(at.datasetId, at.batchId) + name,
      Body: JSON.stringify(body),
      ContentType: 'application/json',
    }),
  );
}

async function readArtifact<T>(at: BatchLocation, name: string, schema: z.ZodMiniType<T>): Promise<T> {
  const key = batchPrefix(at.datasetId, at.batchId) + name;
  let text: string;
  try {
    const object = await at.s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: key }));
    text = await object.Body!.transformToString();
  } catch (error) {
    if (error instanceof NoSuchKey) throw new MissingArtifactError(`s3://${at.bucket}/${key} does not exist`);
    throw error;
  }
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`s3://${at.bucket}/${key} is malformed: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
