import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';

/** Byte ranges [start, end) of named files: S3 objects under a prefix in the cloud, a folder in benchmarks and tests. */
export interface RangedReader {
  /**
   * The bytes of `range` (the whole file when omitted): written into `into` when given (it must be exactly the range's
   * length), else a fresh 4-byte aligned copy.
   */
  read(file: string, range?: ByteRange, into?: Uint8Array): Promise<Uint8Array>;
}

export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export function s3RangedReader(s3: S3Client, bucket: string, prefix: string): RangedReader {
  return {
    async read(file, range, into) {
      if (range && range.end <= range.start) return into ?? new Uint8Array(0);
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: prefix + file,
          Range: range ? `bytes=${range.start}-${range.end - 1}` : undefined,
        }),
      );
      const bytes = await object.Body!.transformToByteArray();
      if (range && bytes.length !== range.end - range.start)
        throw new Error(`s3://${bucket}/${prefix}${file}: short read at ${range.start}`);
      if (into) {
        into.set(bytes);
        return into;
      }
      return bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
    },
  };
}

export function localRangedReader(folder: string): RangedReader {
  return {
    // Synchronous on purpose: a positional read from the page cache takes microseconds, a thread-pool round trip more.
    async read(file, range, into) {
      const fd = openSync(join(folder, file), 'r');
      try {
        const start = range?.start ?? 0;
        const end = range?.end ?? fstatSync(fd).size;
        // Not zero-filled and not from the shared pool: every byte is overwritten, and the view must start 4-aligned.
        const bytes = into ?? Buffer.allocUnsafeSlow(Math.max(0, end - start));
        if (readSync(fd, bytes, 0, bytes.length, start) !== bytes.length)
          throw new Error(`${file}: short read at ${start}`);
        return bytes;
      } finally {
        closeSync(fd);
      }
    },
  };
}

const CONCURRENT_READS = 16;

interface MergedRange extends ByteRange {
  readonly members: ByteRange[];
}

/** Sorted, with ranges less than `mergeGap` apart joined as long as the result stays within `maxBytes`. */
function mergeRanges(ranges: readonly ByteRange[], mergeGap: number, maxBytes = Infinity): MergedRange[] {
  const sorted = [...ranges].filter((range) => range.end > range.start).sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number; members: ByteRange[] }[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end + mergeGap && Math.max(last.end, range.end) - last.start <= maxBytes) {
      last.end = Math.max(last.end, range.end);
      last.members.push(range);
    } else {
      merged.push({ start: range.start, end: range.end, members: [range] });
    }
  }
  return merged;
}

/**
 * Visits many ranges of one file in file order without holding them all: sorted, merged where less than `mergeGap`
 * bytes apart (a request costs more than reading a little more), packed into chunks of at most `chunkBytes`, each chunk read (CONCURRENT_READS requests at a time) into one of two reused buffers while
 * `visit` works through the other. Memory stays at 2 × chunkBytes however many ranges there are, and fresh memory is
 * not touched for every byte read (page faults on fresh memory cost more here than the copy). A view passed to
 * `visit` is only valid until it returns (or its promise settles).
 */
export async function forEachRange(
  reader: RangedReader,
  file: string,
  ranges: readonly ByteRange[],
  options: { mergeGap: number; chunkBytes: number },
  visit: (range: ByteRange, bytes: Uint8Array) => void | Promise<void>,
): Promise<void> {
  const chunks: MergedRange[][] = [];
  let chunkSize = Infinity;
  for (const block of mergeRanges(ranges, options.mergeGap, options.chunkBytes)) {
    const size = block.end - block.start;
    if (chunkSize + size > options.chunkBytes) {
      chunks.push([]);
      chunkSize = 0;
    }
    chunks[chunks.length - 1].push(block);
    chunkSize += size;
  }
  const buffers = [Buffer.allocUnsafeSlow(0), Buffer.allocUnsafeSlow(0)];
  const fill = async (chunk: MergedRange[], slot: number): Promise<Uint8Array> => {
    const size = chunk.reduce((sum, block) => sum + block.end - block.start, 0);
    if (buffers[slot].length < size) buffers[slot] = Buffer.allocUnsafeSlow(Math.max(size, options.chunkBytes));
    const buffer = buffers[slot];
    const offsets: number[] = [];
    let offset = 0;
    for (const block of chunk) {
      offsets.push(offset);
      offset += block.end - block.start;
    }
    await pLimit(CONCURRENT_READS).map(chunk, async (block, i) => {
      const target = buffer.subarray(offsets[i], offsets[i]! + block.end - block.start);
      const bytes = await reader.read(file, block, target);
      if (bytes !== target) target.set(bytes);
    });
    return buffer;
  };
  let pending = chunks.length > 0 ? fill(chunks[0], 0) : undefined;
  for (let c = 0; c < chunks.length; c++) {
    const buffer = await pending!;
    pending = c + 1 < chunks.length ? fill(chunks[c + 1], (c + 1) % 2) : undefined;
    let offset = 0;
    for (const block of chunks[c]) {
      for (const member of block.members) {
        await visit(member, buffer.subarray(offset + member.start - block.start, offset + member.end - block.start));
      }
      offset += block.end - block.start;
    }
  }
}
