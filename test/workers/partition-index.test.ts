import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageHashes } from '../../core/clustering/image-hashes';
import { PRINT_BYTES } from '../../core/clustering/pixel-agreement';
import { normaliseRows } from '../../core/clustering/vector-math';
import { nearestAllowed, PartitionSearch } from '../../workers/assign/partition-search';
import { forEachRange, localRangedReader, type RangedReader, s3RangedReader } from '../../workers/assign/ranged-reader';
import { ExactKnn } from '../../workers/cluster/exact-knn';
import {
  PARTITION_FILES,
  partitionLayout,
  partitionPrintsFile,
  partitionRowsFile,
} from '../../workers/cluster/partition-files';
import { buildPartitionIndex, type PartitionIndex, sortedByPartition } from '../../workers/cluster/partition-index';
import {
  encodePartitionPrints,
  encodePartitionRows,
  PartitionRows,
  rowBytes,
} from '../../workers/cluster/partition-rows';
import { encodeVectors } from '../../workers/embed/shard-format';
import type { TestBucket } from '../support/servers';
import { createWorkerBucket } from './embed-support';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const D = 128;

function randomUnit(n: number, seed: number): Float32Array {
  const random = seeded(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  return normaliseRows(Float32Array.from({ length: n * D }, gauss), D);
}

/** Embeddings with topics, as media have: members of one of 100 topics have cosine ≈ 0.5, of different topics ≈ 0. */
function topical(n: number, seed: number): Float32Array {
  const topics = randomUnit(100, seed + 1000);
  const noise = randomUnit(n, seed);
  const random = seeded(seed + 2000);
  const out = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const topic = Math.floor(random() * 100);
    for (let x = 0; x < D; x++) out[i * D + x] = topics[topic * D + x] + noise[i * D + x];
  }
  return normaliseRows(out, D);
}

/** Copies of `rows` of `vectors` with a little noise: near-duplicates (cosine ≈ 0.97). */
function nearCopies(vectors: Float32Array, rows: number[], seed: number): Float32Array {
  const noise = randomUnit(rows.length, seed);
  const out = new Float32Array(rows.length * D);
  rows.forEach((row, i) => {
    for (let x = 0; x < D; x++) out[i * D + x] = vectors[row * D + x] + 0.25 * noise[i * D + x];
  });
  return normaliseRows(out, D);
}

/** Wraps a reader and counts the bytes and requests per file. */
function counting(reader: RangedReader) {
  const bytes = new Map<string, number>();
  const requests = new Map<string, number>();
  const wrapped: RangedReader = {
    async read(file, range, into) {
      const data = await reader.read(file, range, into);
      bytes.set(file, (bytes.get(file) ?? 0) + data.length);
      requests.set(file, (requests.get(file) ?? 0) + 1);
      return data;
    },
  };
  return { reader: wrapped, bytes, requests };
}

function writeIndexFiles(
  folder: string,
  index: PartitionIndex,
  vectors: Float32Array,
  labels: Int32Array,
  hashes = ImageHashes.fromHex(Array(labels.length)),
): void {
  writeFileSync(join(folder, PARTITION_FILES.layout), JSON.stringify(partitionLayout(index, 64, hashes.hasPrints)));
  writeFileSync(join(folder, PARTITION_FILES.topCentroids), encodeVectors(index.topCentroids));
  writeFileSync(join(folder, PARTITION_FILES.centroids), encodeVectors(index.centroids));
  writeFileSync(
    join(folder, PARTITION_FILES.rows),
    partitionRowsFile(index, sortedByPartition(vectors, index), labels, hashes),
  );
  if (hashes.hasPrints) writeFileSync(join(folder, PARTITION_FILES.prints), partitionPrintsFile(index, hashes));
}

describe('partition index', () => {
  let exact: ExactKnn;
  beforeAll(async () => {
    exact = await ExactKnn.open(D, 'cpu', () => {});
  });
  afterAll(async () => {
    await exact.release();
  });

  it('puts every row in exactly one non-empty partition of about the target size, cell by cell', async () => {
    const vectors = randomUnit(5000, 1);
    const index = await buildPartitionIndex(vectors, D, exact);
    expect([...index.order].sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    const partitions = index.partitionStart.length - 1;
    expect(partitions).toBeGreaterThan(40);
    expect(partitions).toBeLessThan(120);
    for (let p = 0; p < partitions; p++) expect(index.partitionStart[p + 1]).toBeGreaterThan(index.partitionStart[p]);
    expect(index.topStart[0]).toBe(0);
    expect(index.topStart[index.topStart.length - 1]).toBe(partitions);
    expect(index.centroids.length).toBe(partitions * D);
    // each row sits in the partition of its cell whose centroid is nearest (the k-means assignment)
    const cellOf = (p: number) => index.topStart.findIndex((start, c) => p >= start && p < index.topStart[c + 1]);
    for (const p of [0, Math.floor(partitions / 2), partitions - 1]) {
      const cell = cellOf(p);
      const row = index.order[index.partitionStart[p]];
      let best = -1;
      let bestSimilarity = -Infinity;
      for (let q = index.topStart[cell]; q < index.topStart[cell + 1]; q++) {
        let s = 0;
        for (let x = 0; x < D; x++) s += vectors[row * D + x] * index.centroids[q * D + x];
        if (s > bestSimilarity) [best, bestSimilarity] = [q, s];
      }
      expect(best).toBe(p);
    }
  });

  it('handles no rows and a single row', async () => {
    const empty = await buildPartitionIndex(new Float32Array(0), D, exact);
    expect(empty.partitionStart).toEqual(Uint32Array.of(0));
    const one = await buildPartitionIndex(randomUnit(1, 2), D, exact);
    expect(Array.from(one.partitionStart)).toEqual([0, 1]);
    expect(Array.from(one.order)).toEqual([0]);
  });

  describe('search of a stored index', () => {
    const n = 20_000;
    const vectors = topical(n, 3);
    const labels = Int32Array.from({ length: n }, (_, row) => row * 7);
    const folder = mkdtempSync(join(tmpdir(), 'partition-search-'));
    const originals = [5, 777, 4242, 19_999, 12_345];
    const queries = new Float32Array((originals.length + 1) * D);
    queries.set(nearCopies(vectors, originals, 4));
    queries.set(randomUnit(1, 5), originals.length * D);
    /** A distinct pseudo-random hash per row (mirror hash: its complement, far from every hash). */
    const hashOf = (row: number) => {
      const word = (Math.imul(row + 1, 2_654_435_761) >>> 0).toString(16).padStart(8, '0');
      const other = (Math.imul(row + 7, 40_503) >>> 0).toString(16).padStart(8, '0');
      const flip = (hex: string) => (~Number.parseInt(hex, 16) >>> 0).toString(16).padStart(8, '0');
      return word + other + flip(word) + flip(other);
    };
    /** A distinct print per row (its first four bytes: the row number). */
    const printOf = (row: number) => {
      const bytes = new Uint8Array(PRINT_BYTES);
      new DataView(bytes.buffer).setUint32(0, row, true);
      return Buffer.from(bytes).toString('base64');
    };
    let bucket: TestBucket;

    beforeAll(async () => {
      const index = await buildPartitionIndex(vectors, D, exact);
      const hashes = ImageHashes.fromHex(
        Array.from({ length: n }, (_, row) => (row % 10 === 9 ? undefined : hashOf(row))),
        Array.from({ length: n }, (_, row) => (row % 7 === 3 ? undefined : printOf(row))),
      );
      writeIndexFiles(folder, index, vectors, labels, hashes);
      bucket = await createWorkerBucket();
      for (const file of Object.values(PARTITION_FILES)) {
        const body = await localRangedReader(folder).read(file);
        await bucket.client.send(
          new PutObjectCommand({ Bucket: bucket.bucket, Key: `clusterings/c1/${file}`, Body: body }),
        );
      }
    });

    it('finds the original of each near-duplicate with its label and exact similarity', async () => {
      const search = await PartitionSearch.open(localRangedReader(folder), D);
      expect(search.size).toBe(n);
      const found = await search.nearest(queries, exact);
      const truth = await exact.search(vectors, queries, 1);
      originals.forEach((row, q) => {
        expect(found[q]!.label).toBe(row * 7);
        // int8 rows: within a few thousandths of the exact similarity
        expect(Math.abs(found[q]!.similarity - truth.similarities[q])).toBeLessThan(0.005);
        expect(found[q]!.similarity).toBeGreaterThan(0.9);
      });
      // an unrelated vector still gets its best candidate, far below the threshold
      expect(found[originals.length]!.similarity).toBeLessThan(0.9);
    });

    it("also finds, with the queries' hashes, the hash-closest of each query's k most similar rows", async () => {
      const search = await PartitionSearch.open(localRangedReader(folder), D);
      // near-copies hash like their originals but 2 bits (first word's low bits); the unrelated query hashes exactly like
      // row 3, which is not among its 10 most similar rows; row 19 999 has no hash.
      const twoBitsOff = (hex: string) =>
        ((Number.parseInt(hex.slice(0, 8), 16) ^ 3) >>> 0).toString(16).padStart(8, '0') + hex.slice(8);
      const queryHashes = ImageHashes.fromHex([
        ...originals.map((row) => (row === 19_999 ? hashOf(1) : twoBitsOff(hashOf(row)))),
        hashOf(3),
      ]);
      const found = await search.nearest(queries, exact, { of: queryHashes, k: 10 });
      originals.forEach((row, q) => {
        expect(found[q]!.label).toBe(row * 7);
        if (row !== 19_999) expect(found[q]!.byHash).toEqual({ label: row * 7, distance: 2 });
        else expect(found[q]!.byHash!.distance).toBeGreaterThan(6);
      });
      expect(found[originals.length]!.byHash!.distance).toBeGreaterThan(6);
    });

    it('with a link check, answers the most similar row the check allows, or the nearest marked not allowed', async () => {
      const search = await PartitionSearch.open(localRangedReader(folder), D);
      const queryHashes = ImageHashes.fromHex(originals.map(() => undefined).concat([undefined]));
      const asked: number[] = [];
      // Allows nothing for the first query, anything but its nearest for the second, everything for the others.
      const printed: number[] = [];
      const check = {
        threshold: 0.5,
        allows: (query: number, candidate: ImageHashes) => {
          asked.push(query);
          expect(candidate.size).toBe(1);
          if (candidate.hasPrint(0)) printed.push(new DataView(candidate.printOf(0).buffer).getUint32(0, true));
          return query === 0 ? false : query === 1 ? asked.filter((q) => q === 1).length > 1 : true;
        },
      };
      const plain = await search.nearest(queries, exact, { of: queryHashes, k: 10 });
      const found = await search.nearest(queries, exact, { of: queryHashes, k: 10, check });
      expect(found[0]).toMatchObject({ label: plain[0]!.label, similarity: plain[0]!.similarity, allowed: false });
      expect(found[1]!.allowed).toBe(true);
      expect(found[1]!.label).not.toBe(plain[1]!.label);
      expect(found[1]!.similarity).toBeLessThanOrEqual(plain[1]!.similarity);
      for (const q of [2, 3, 4]) expect(found[q]).toMatchObject({ label: plain[q]!.label, allowed: true });
      // the unrelated query's nearest is below the threshold: answered without asking the check
      expect(found[originals.length]!.label).toBe(plain[originals.length]!.label);
      expect(asked).not.toContain(originals.length);
      // each candidate asked about came with its own print, read from the prints file (rows 7k + 3 have none)
      expect(printed.length).toBeGreaterThan(0);
      for (const row of printed) expect(row % 7).not.toBe(3);
      expect(printed).toContain(originals[2]);
    });

    it('reads a few partitions per query, not the index', async () => {
      const { reader, bytes } = counting(localRangedReader(folder));
      const search = await PartitionSearch.open(reader, D);
      await search.nearest(queries.subarray(0, D), exact);
      const total = n * rowBytes(D);
      expect(bytes.get(PARTITION_FILES.rows)).toBeLessThan(total * 0.05);
    });

    it('reads the same through S3 byte ranges (an S3-compatible server)', async () => {
      const { reader, requests } = counting(s3RangedReader(bucket.client, bucket.bucket, 'clusterings/c1/'));
      const search = await PartitionSearch.open(reader, D);
      const found = await search.nearest(queries, exact);
      originals.forEach((row, q) => {
        expect(found[q]!.label).toBe(row * 7);
      });
      expect(requests.get(PARTITION_FILES.rows)).toBeLessThanOrEqual((originals.length + 1) * 3);
    });

    it('refuses a clustering whose rows predate the perceptual hashes, asking for a reindex', async () => {
      const old = mkdtempSync(join(tmpdir(), 'partition-old-'));
      try {
        const { row_bytes: _, ...layout } = JSON.parse(readFileSync(join(folder, PARTITION_FILES.layout), 'utf8'));
        writeFileSync(join(old, PARTITION_FILES.layout), JSON.stringify(layout));
        await expect(PartitionSearch.open(localRangedReader(old), D)).rejects.toThrow(
          /written before partition rows carried perceptual hashes; reindex the dataset/,
        );
      } finally {
        rmSync(old, { recursive: true, force: true });
      }
    });

    it('writes no prints file where no media has a print, and then checks candidates without reading one', async () => {
      const unprinted = mkdtempSync(join(tmpdir(), 'partition-unprinted-'));
      try {
        const index = await buildPartitionIndex(vectors, D, exact);
        writeIndexFiles(unprinted, index, vectors, labels, ImageHashes.fromHex(Array(n), Array(n)));
        expect(existsSync(join(unprinted, PARTITION_FILES.prints))).toBe(false);
        expect(JSON.parse(readFileSync(join(unprinted, PARTITION_FILES.layout), 'utf8'))).not.toHaveProperty(
          'print_bytes',
        );
        const { reader, requests } = counting(localRangedReader(unprinted));
        const search = await PartitionSearch.open(reader, D);
        const withPrint: boolean[] = [];
        const check = {
          threshold: 0.5,
          allows: (_query: number, candidate: ImageHashes) => {
            withPrint.push(candidate.hasPrint(0));
            return true;
          },
        };
        const found = await search.nearest(queries, exact, {
          of: ImageHashes.fromHex(Array(originals.length + 1)),
          k: 10,
          check,
        });
        originals.forEach((row, q) => {
          expect(found[q]).toMatchObject({ label: row * 7, allowed: true });
        });
        expect(withPrint.length).toBeGreaterThan(0);
        expect(withPrint.every((printed) => !printed)).toBe(true);
        expect(requests.get(PARTITION_FILES.prints)).toBeUndefined();
      } finally {
        rmSync(unprinted, { recursive: true, force: true });
      }
    });

    it('refuses an index of another dimension', async () => {
      await expect(PartitionSearch.open(localRangedReader(folder), D * 2)).rejects.toThrow(
        /dimension 128, expected 256/,
      );
    });
  });
});

describe('nearestAllowed', () => {
  const ordered = [{ similarity: 0.95 }, { similarity: 0.9 }, { similarity: 0.7 }, { similarity: 0.4 }];

  it('takes the most similar candidate the check allows, or the first one below its threshold', () => {
    const allowsSecond = { threshold: 0.5, allows: (c: { similarity: number }) => c === ordered[1] };
    expect(nearestAllowed(ordered, allowsSecond)).toEqual({ nearest: ordered[1], allowed: true });
    const allowsNone = { threshold: 0.5, allows: () => false };
    expect(nearestAllowed(ordered, allowsNone)).toEqual({ nearest: ordered[3], allowed: true });
  });

  it('marks the most similar not allowed when every candidate is at or above the threshold and refused', () => {
    const asked: number[] = [];
    const check = {
      threshold: 0.3,
      allows: (c: { similarity: number }) => {
        asked.push(c.similarity);
        return false;
      },
    };
    expect(nearestAllowed(ordered, check)).toEqual({ nearest: ordered[0], allowed: false });
    expect(asked).toEqual([0.95, 0.9, 0.7, 0.4]);
  });
});

describe('partition rows', () => {
  it('keep each label and hash (prints in their own file) and score similarities within 0.005 of the float32 vectors', () => {
    const vectors = topical(200, 11);
    const labels = Uint32Array.from({ length: 200 }, (_, i) => 4_000_000_000 - i);
    const hex = Array.from({ length: 200 }, (_, i) =>
      i % 3 === 0 ? undefined : (i * 2654435761).toString(16).padStart(8, '0').slice(-8).repeat(4),
    );
    const prints = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 1
        ? undefined
        : Buffer.from(Uint8Array.from({ length: PRINT_BYTES }, (_, b) => (b * 7 + i) % 256)).toString('base64'),
    );
    const hashes = ImageHashes.fromHex(hex, prints);
    const rows = new PartitionRows(encodePartitionRows(vectors, labels, hashes, D), D);
    const printBytes = encodePartitionPrints(hashes);
    expect(printBytes.length).toBe(200 * PRINT_BYTES);
    expect(rows.count).toBe(200);
    const query = topical(1, 12);
    for (let row = 0; row < 200; row++) {
      let exactSimilarity = 0;
      for (let x = 0; x < D; x++) exactSimilarity += query[x] * vectors[row * D + x];
      expect(rows.label(row)).toBe(labels[row]);
      expect(rows.hashed(row)).toBe(hex[row] !== undefined);
      expect(Array.from(rows.hashWords(row), (word) => word.toString(16).padStart(8, '0')).join('')).toBe(
        hex[row] ?? '0'.repeat(32),
      );
      expect(Math.abs(rows.similarity(row, query, 0) - exactSimilarity)).toBeLessThan(0.005);
      expect(rows.printed(row)).toBe(prints[row] !== undefined);
      expect(rows.hashesOf(row).has(0)).toBe(hex[row] !== undefined);
      const print = printBytes.subarray(row * PRINT_BYTES, (row + 1) * PRINT_BYTES);
      expect(Buffer.from(print).toString('base64')).toBe(prints[row] ?? Buffer.alloc(PRINT_BYTES).toString('base64'));
    }
    // In another order, without a reordered copy of the hashes: row r carries item order[r]'s hash and print.
    const order = Array.from({ length: 200 }, (_, r) => 199 - r);
    const reordered = new PartitionRows(encodePartitionRows(vectors, labels, hashes, D, order), D);
    const reorderedPrints = encodePartitionPrints(hashes, order);
    order.forEach((item, row) => {
      expect(reordered.hashed(row)).toBe(hex[item] !== undefined);
      expect(reordered.printed(row)).toBe(prints[item] !== undefined);
      const print = reorderedPrints.subarray(row * PRINT_BYTES, (row + 1) * PRINT_BYTES);
      expect(Buffer.from(print).toString('base64')).toBe(prints[item] ?? Buffer.alloc(PRINT_BYTES).toString('base64'));
    });
  });

  it('refuse a truncated block', () => {
    const bytes = encodePartitionRows(topical(2, 13), [1, 2], ImageHashes.fromHex([undefined, undefined]), D);
    expect(() => new PartitionRows(bytes.subarray(0, bytes.length - 4), D)).toThrow(/misaligned or truncated/);
  });
});

describe('forEachRange', () => {
  const folder = mkdtempSync(join(tmpdir(), 'ranges-'));
  const data = Uint8Array.from({ length: 1_000_000 }, (_, i) => i % 251);
  writeFileSync(join(folder, 'f'), data);
  const ranges = [
    { start: 400_000, end: 400_100 },
    { start: 0, end: 8 },
    { start: 8, end: 16 },
    { start: 20_000, end: 20_004 },
    { start: 900_000, end: 900_010 },
  ];

  it('visits every range in file order with its bytes, merging nearby ranges into one request', async () => {
    const { reader, requests } = counting(localRangedReader(folder));
    const seen: number[] = [];
    await forEachRange(reader, 'f', ranges, { mergeGap: 64 * 1024, chunkBytes: 1024 * 1024 }, (range, bytes) => {
      seen.push(range.start);
      expect(Buffer.from(bytes).equals(data.subarray(range.start, range.end))).toBe(true);
    });
    expect(seen).toEqual([0, 8, 20_000, 400_000, 900_000]);
    expect(requests.get('f')).toBe(3);
  });

  it('reads chunk by chunk into reused buffers, waiting for an async visit, and serves ranges larger than a chunk', async () => {
    const { reader, bytes } = counting(localRangedReader(folder));
    const big = { start: 100_000, end: 300_000 };
    const seen: number[] = [];
    await forEachRange(reader, 'f', [...ranges, big], { mergeGap: 0, chunkBytes: 50_000 }, async (range, view) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      // still intact after the wait: the next chunk is read into the other buffer
      expect(Buffer.from(view).equals(data.subarray(range.start, range.end))).toBe(true);
      seen.push(range.start);
    });
    expect(seen).toEqual([0, 8, 20_000, 100_000, 400_000, 900_000]);
    expect(bytes.get('f')).toBe(16 + 4 + 200_000 + 100 + 10);
  });
});
