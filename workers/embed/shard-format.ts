import { endianness } from 'node:os';
import type { SkippedMedia } from '../runtime/batch-records';
import type { ShardRow } from './embed-entries';

/**
 * Contents of one shard's embed output (docs/pipeline.md, Embed; keys from embeddingShardKeys): `.f32` (row-major
 * float32 little-endian, `dimension` per row, unit length), `.jsonl` (one row per vector, same order) and
 * `.skipped.json` ([{name, reason}]).
 */

function assertLittleEndianHost(): void {
  // Float32Array uses the host's byte order; every platform we run on (x86-64, arm64) is little-endian.
  if (endianness() !== 'LE') throw new Error('The .f32 format is little-endian; this host is big-endian');
}

export function encodeVectors(vectors: Float32Array): Uint8Array {
  assertLittleEndianHost();
  return new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
}

/** Copies `bytes` into a fresh, aligned Float32Array, checking that they hold whole rows. */
export function decodeVectors(bytes: Uint8Array, dimension: number, what: string): Float32Array {
  assertLittleEndianHost();
  if (bytes.byteLength % (4 * dimension) !== 0)
    throw new Error(`${what}: ${bytes.byteLength} bytes are not rows of ${dimension} float32`);
  const vectors = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(vectors.buffer).set(bytes);
  return vectors;
}

export const encodeRows = (rows: readonly ShardRow[]): string =>
  rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '');

export function decodeRows(text: string, what: string): ShardRow[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line, index) => {
      const row = JSON.parse(line) as ShardRow;
      if (typeof row.media_id !== 'string' || (row.type !== 'image' && row.type !== 'video'))
        throw new Error(`${what} line ${index + 1} is not a shard row`);
      return row;
    });
}

export const encodeSkipped = (skipped: readonly SkippedMedia[]): string => JSON.stringify(skipped);
