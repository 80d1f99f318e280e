import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { manifestPartKey } from '../../core/store/batch-paths';
import { type ManifestLine, manifestLineSchema } from '../runtime/batch-records';

/** One media to embed: a line of `manifest/part-NNNNN.jsonl` (docs/pipeline.md, Discover). */
export type ManifestEntry = ManifestLine;

/** Reads manifest parts [partStart, partEnd) in order; a missing or malformed part is an error (Discover wrote them). */
export async function readManifestParts(
  s3: S3Client,
  bucket: string,
  at: { datasetId: string; batchId: string; partStart: number; partEnd: number },
): Promise<ManifestEntry[]> {
  if (
    !(Number.isInteger(at.partStart) && Number.isInteger(at.partEnd) && 0 <= at.partStart && at.partStart < at.partEnd)
  ) {
    throw new Error(`Invalid manifest part range [${at.partStart}, ${at.partEnd})`);
  }
  const entries: ManifestEntry[] = [];
  for (let part = at.partStart; part < at.partEnd; part++) {
    const key = manifestPartKey(at.datasetId, at.batchId, part);
    let text: string;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = await object.Body!.transformToString('utf8');
    } catch (error) {
      if (error instanceof NoSuchKey) throw new Error(`Manifest part s3://${bucket}/${key} does not exist`);
      throw error;
    }
    text.split('\n').forEach((line, index) => {
      if (!line.trim()) return;
      const parsed = manifestLineSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`s3://${bucket}/${key} line ${index + 1}: ${z.prettifyError(parsed.error)}`);
      entries.push(parsed.data);
    });
  }
  return entries;
}
