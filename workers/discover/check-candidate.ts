import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { generateMediaId } from '../../core/media/safe-names';
import { type SniffResult, sniffMedia } from '../../core/media/sniff-media';
import { mediaObjectKey } from '../../core/store/batch-paths';
import type { ManifestLine, MediaLocation, SkippedMedia } from '../runtime/batch-records';
import type { Candidate } from './candidate';
import { readLocalHead } from './local-io';
import { probeImage } from './probe-image';
import { downloadToFile, objectProblem, readS3Head, uploadFile } from './s3-io';

/** Bytes read from the start of media checked where it lives: enough for `sniffMedia` (4100) with room to spare. */
const HEAD_BYTES = 64 * 1024;

export interface CheckContext {
  /** Reads the customer's source (assumed role when configured). */
  readonly sourceS3: S3Client;
  /** Reads staging and writes media copies in our bucket (task role). */
  readonly ownS3: S3Client;
  readonly bucketName: string;
  readonly datasetId: string;
  readonly operationId: string;
  readonly tempDir: string;
}

export type CheckOutcome =
  | { readonly ok: true; readonly line: ManifestLine }
  | { readonly ok: false; readonly skipped: SkippedMedia };

/**
 * Decides whether one candidate is usable media, by its bytes:
 * - media that stays where it is (S3 source, local file) is sniffed from its first HEAD_BYTES (a ranged GET for S3) and
 *   never decoded here: `embed` decodes it anyway and reports a corrupt or truncated image in its shard's
 *   skipped.json (a probe here cost as much CPU as embedding small images; reading every byte would double the
 *   traffic of large sources);
 * - media we copy (uploads, archive entries) passes through us whole anyway: it is sniffed, images are decode-probed,
 *   and it is copied to `media/{media_id}.{ext}` under a generated name with the extension its content has.
 * Unusable media becomes a skip with the reason; only failures unrelated to the candidate (S3 down) are thrown.
 */
export async function checkCandidate(
  candidate: Candidate,
  ordinal: number,
  context: CheckContext,
): Promise<CheckOutcome> {
  const mediaId = generateMediaId(context.operationId, ordinal);
  switch (candidate.kind) {
    case 'skip':
      return skip(candidate.name, candidate.reason);
    case 's3': {
      const read =
        candidate.size === 0
          ? { ok: true as const, head: Buffer.alloc(0), size: 0 }
          : await readS3Head(context.sourceS3, candidate.location, HEAD_BYTES);
      if (!read.ok) return skip(candidate.name, read.reason);
      return inPlace(candidate, mediaId, read.head, read.size, {
        bucket: candidate.location.bucket,
        key: candidate.location.key,
      });
    }
    case 'local': {
      const read = await readLocalHead(candidate.path, HEAD_BYTES);
      if (!read.ok) return skip(candidate.name, read.reason);
      return inPlace(candidate, mediaId, read.head, read.size, { path: candidate.path });
    }
    case 'staged': {
      const file = join(context.tempDir, `staged-${randomUUID()}`);
      try {
        try {
          await downloadToFile(context.ownS3, candidate.location, file);
        } catch (error) {
          const reason = objectProblem(error);
          if (reason) return skip(candidate.name, reason);
          throw error;
        }
        return await copyIntoBatch({ ...candidate, file }, mediaId, context);
      } finally {
        await rm(file, { force: true });
      }
    }
    case 'file':
      try {
        return await copyIntoBatch(candidate, mediaId, context);
      } finally {
        await rm(candidate.file, { force: true });
      }
  }
}

async function inPlace(
  candidate: Candidate & { kind: 's3' | 'local' },
  mediaId: string,
  head: Buffer,
  size: number,
  location: MediaLocation,
): Promise<CheckOutcome> {
  const sniffed = await sniffMedia(head, candidate.name);
  if (!sniffed.ok) return skip(candidate.name, sniffed.reason);
  return media(mediaId, sniffed, candidate.sourceUri, location, size);
}

async function copyIntoBatch(
  candidate: { readonly name: string; readonly sourceUri: string; readonly file: string },
  mediaId: string,
  context: CheckContext,
): Promise<CheckOutcome> {
  const read = await readLocalHead(candidate.file, HEAD_BYTES);
  if (!read.ok) throw new Error(`Temporary copy of ${candidate.name} is unreadable: ${read.reason}`);
  const { head, size } = read;
  const sniffed = await sniffMedia(head, candidate.name);
  if (!sniffed.ok) return skip(candidate.name, sniffed.reason);
  if (sniffed.type === 'image') {
    const problem = await probeImage(candidate.file);
    if (problem) return skip(candidate.name, problem);
  }
  const target = {
    bucket: context.bucketName,
    key: mediaObjectKey(context.datasetId, context.operationId, mediaId, sniffed.ext),
  };
  await uploadFile(context.ownS3, target, candidate.file, size, sniffed.mime);
  return media(mediaId, sniffed, candidate.sourceUri, target, size);
}

function media(
  mediaId: string,
  sniffed: SniffResult & { ok: true },
  sourceUri: string,
  location: MediaLocation,
  bytes: number,
): CheckOutcome {
  return {
    ok: true,
    line: { media_id: mediaId, type: sniffed.type, source_uri: sourceUri, location, bytes, mime: sniffed.mime },
  };
}

function skip(name: string, reason: string): CheckOutcome {
  return { ok: false, skipped: { name, reason } };
}
