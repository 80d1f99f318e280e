import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { embeddingCheckpointKeys } from '../../core/store/batch-paths';
import type { SkippedMedia } from '../runtime/batch-records';
import type { EmbeddedEntries } from './embed-entries';
import { decodeRows, decodeVectors, encodeRows, encodeVectors } from './shard-format';

export interface CheckpointTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly datasetId: string;
  readonly batchId: string;
  readonly shardIndex: number;
}

/** What earlier runs of the shard completed: its first `entriesDone` manifest entries, embedded or skipped. */
export interface ShardCheckpoint {
  readonly parts: number;
  readonly entriesDone: number;
  readonly embedded: EmbeddedEntries;
}

const markerSchema = z
  .object({
    entries_from: z.number().int().nonnegative(),
    entries_to: z.number().int().positive(),
    skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  })
  .strict();

/**
 * Reads the shard's checkpoint parts in order. A part counts once its marker exists (written after its vectors and
 * rows) and continues where the previous one ended; the first missing or non-contiguous part ends the checkpoint.
 */
export async function readCheckpoint(target: CheckpointTarget, dimension: number): Promise<ShardCheckpoint> {
  const vectors: Float32Array[] = [];
  const rows: EmbeddedEntries['rows'][number][] = [];
  const skipped: SkippedMedia[] = [];
  let entriesDone = 0;
  let parts = 0;
  for (; ; parts++) {
    const keys = embeddingCheckpointKeys(target.datasetId, target.batchId, target.shardIndex, parts);
    const markerText = await readText(target, keys.marker);
    if (markerText === undefined) break;
    const marker = markerSchema.parse(JSON.parse(markerText));
    if (marker.entries_from !== entriesDone) break;
    const partRows = decodeRows((await readText(target, keys.rows)) ?? '', keys.rows);
    const partVectors = decodeVectors(await readBytes(target, keys.vectors), dimension, keys.vectors);
    if (partVectors.length !== partRows.length * dimension)
      throw new Error(`${keys.vectors}: ${partVectors.length / dimension} vectors for ${partRows.length} rows`);
    vectors.push(partVectors);
    rows.push(...partRows);
    skipped.push(...marker.skipped);
    entriesDone = marker.entries_to;
  }
  return { parts, entriesDone, embedded: { vectors: concatVectors(vectors), rows, skipped } };
}

/**
 * Collects the batches embedEntries completes and writes them as checkpoint parts: every `every` entries, and after
 * every batch once `signal` is aborted (SIGTERM: the task may be killed at any moment now).
 */
export class CheckpointWriter {
  private pending: EmbeddedEntries[] = [];
  private pendingEntries = 0;
  private written: number;
  private entriesDone: number;

  constructor(
    private readonly target: CheckpointTarget,
    private readonly options: { readonly every: number; readonly signal?: AbortSignal },
    from: ShardCheckpoint,
  ) {
    this.written = from.parts;
    this.entriesDone = from.entriesDone;
  }

  /** Parts stored for the shard: those read at start and those written since. */
  get parts(): number {
    return this.written;
  }

  /** One completed batch of `entries` manifest entries (embedded or skipped). */
  async add(batch: EmbeddedEntries, entries: number): Promise<void> {
    this.pending.push(batch);
    this.pendingEntries += entries;
    if (this.pendingEntries >= this.options.every || this.options.signal?.aborted) await this.flush();
  }

  private async flush(): Promise<void> {
    const keys = embeddingCheckpointKeys(
      this.target.datasetId,
      this.target.batchId,
      this.target.shardIndex,
      this.written,
    );
    const batches = this.pending;
    const marker = {
      entries_from: this.entriesDone,
      entries_to: this.entriesDone + this.pendingEntries,
      skipped: batches.flatMap((batch) => batch.skipped),
    };
    await Promise.all([
      this.put(keys.vectors, encodeVectors(concatVectors(batches.map((batch) => batch.vectors)))),
      this.put(keys.rows, encodeRows(batches.flatMap((batch) => batch.rows))),
    ]);
    await this.put(keys.marker, JSON.stringify(marker));
    this.pending = [];
    this.pendingEntries = 0;
    this.written++;
    this.entriesDone = marker.entries_to;
  }

  private async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.target.s3.send(new PutObjectCommand({ Bucket: this.target.bucket, Key: key, Body: body }));
  }
}

/**
 * Removes the checkpoint once the shard's output is written, last part first and each marker before its data, so what
 * an interrupted removal leaves is still a valid, shorter checkpoint.
 */
export async function deleteCheckpoint(target: CheckpointTarget, parts: number): Promise<void> {
  for (let part = parts - 1; part >= 0; part--) {
    const keys = embeddingCheckpointKeys(target.datasetId, target.batchId, target.shardIndex, part);
    await remove(target, keys.marker);
    await Promise.all([remove(target, keys.vectors), remove(target, keys.rows)]);
  }
}

export function concatEmbedded(parts: readonly EmbeddedEntries[]): EmbeddedEntries {
  return {
    vectors: concatVectors(parts.map((part) => part.vectors)),
    rows: parts.flatMap((part) => part.rows),
    skipped: parts.flatMap((part) => part.skipped),
  };
}

function concatVectors(parts: readonly Float32Array[]): Float32Array {
  const all = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

async function remove(target: CheckpointTarget, key: string): Promise<void> {
  await target.s3.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key }));
}

async function readBytes(target: CheckpointTarget, key: string): Promise<Uint8Array> {
  const object = await target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
  return object.Body!.transformToByteArray();
}

/** The object's text, or undefined when it does not exist. */
async function readText(target: CheckpointTarget, key: string): Promise<string | undefined> {
  try {
    const object = await target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}
