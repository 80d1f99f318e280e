import { describe, expect, it } from 'vitest';
import {
  assignKey,
  batchPrefix,
  discoveryKey,
  embeddingShardKeys,
  manifestPartKey,
  mediaObjectKey,
  planKey,
  stagedArchivePrefix,
  stagedFilesPrefix,
} from '../../core/store/batch-paths';
import { ManifestWriter } from '../../workers/discover/manifest-writer';
import { mapOrdered } from '../../workers/discover/ordered-map';
import type { ManifestLine } from '../../workers/runtime/batch-records';
import { boolEnv, EnvError, intEnv, oneOfEnv, readWorkerEnv, requireEnv } from '../../workers/runtime/env';
import { failureLine } from '../../workers/runtime/failure';
import { createBucket, directS3Client, getObject, listKeys, readBatchOutputs } from './discover-test-support';

describe('worker environment', () => {
  it('names the missing variable', () => {
    expect(() => requireEnv({}, 'BUCKET_NAME')).toThrow(new EnvError('BUCKET_NAME is not set'));
    expect(() => requireEnv({ BUCKET_NAME: '  ' }, 'BUCKET_NAME')).toThrow(EnvError);
  });

  it('reads what every worker gets', () => {
    expect(readWorkerEnv({ BUCKET_NAME: 'b', DATASET_ID: 'd', OPERATION_ID: 'o', AWS_REGION: 'eu-west-1' })).toEqual({
      bucketName: 'b',
      datasetId: 'd',
      operationId: 'o',
      region: 'eu-west-1',
      logLevel: 'INFO',
    });
  });

  it('parses integers within range, with defaults', () => {
    expect(intEnv({}, 'N', 7)).toBe(7);
    expect(intEnv({ N: '42' }, 'N', 7)).toBe(42);
    for (const bad of ['4.5', 'ten', '-1', '1e3']) {
      expect(() => intEnv({ N: bad }, 'N', 7)).toThrow(
        `N must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got "${bad}"`,
      );
    }
    expect(() => intEnv({ N: '0' }, 'N', 7, { min: 1 })).toThrow(EnvError);
  });

  it('parses booleans strictly', () => {
    expect(boolEnv({ B: 'TRUE' }, 'B', false)).toBe(true);
    expect(boolEnv({ B: '0' }, 'B', true)).toBe(false);
    expect(boolEnv({}, 'B', true)).toBe(true);
    expect(() => boolEnv({ B: 'yes' }, 'B', false)).toThrow('B must be true or false, got "yes"');
  });

  it('accepts only listed values', () => {
    expect(() => oneOfEnv({ K: 'ftp' }, 'K', ['s3_uri', 'local_path'])).toThrow(
      'K must be one of s3_uri, local_path, got "ftp"',
    );
  });
});

describe('batch paths', () => {
  it('lay out one batch as docs/pipeline.md says', () => {
    expect(batchPrefix('ds1', 'op1')).toBe('datasets/ds1/batches/op1/');
    expect(manifestPartKey('ds1', 'op1', 12)).toBe('datasets/ds1/batches/op1/manifest/part-00012.jsonl');
    expect(discoveryKey('ds1', 'op1')).toBe('datasets/ds1/batches/op1/discovery.json');
    expect(planKey('ds1', 'op1')).toBe('datasets/ds1/batches/op1/plan.json');
    expect(assignKey('ds1', 'op1')).toBe('datasets/ds1/batches/op1/assign.json');
    expect(mediaObjectKey('ds1', 'op1', 'abc123', 'webm')).toBe('datasets/ds1/batches/op1/media/abc123.webm');
    expect(embeddingShardKeys('ds1', 'op1', 3)).toEqual({
      vectors: 'datasets/ds1/batches/op1/embeddings/shard-00003.f32',
      rows: 'datasets/ds1/batches/op1/embeddings/shard-00003.jsonl',
      skipped: 'datasets/ds1/batches/op1/embeddings/shard-00003.skipped.json',
    });
    expect(stagedFilesPrefix('ds1', 'op1')).toBe('staging/ds1/op1/files/');
    expect(stagedArchivePrefix('ds1', 'op1')).toBe('staging/ds1/op1/archive/');
  });

  it.each(['', '../other', 'a/b', 'x..y', '.hidden'])('refuse the id %j', (id) => {
    expect(() => batchPrefix(id, 'op')).toThrow(/Invalid dataset id/);
    expect(() => batchPrefix('ds', id)).toThrow(/Invalid batch id/);
  });

  it('refuse out-of-range part numbers and odd extensions', () => {
    expect(() => manifestPartKey('d', 'o', 100_000)).toThrow('Index 100000 out of range 0..99999');
    expect(() => mediaObjectKey('d', 'o', 'm', 'JPG/x')).toThrow('Invalid media extension');
  });
});

describe('mapOrdered', () => {
  it('keeps source order while running up to the limit at once', async () => {
    let running = 0;
    let peak = 0;
    async function* numbers() {
      for (let n = 0; n < 20; n += 1) yield n;
    }
    const results: number[] = [];
    for await (const value of mapOrdered(numbers(), 4, async (n, index) => {
      expect(index).toBe(n);
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, (20 - n) % 5));
      running -= 1;
      return n * 10;
    })) {
      results.push(value);
    }
    expect(results).toEqual(Array.from({ length: 20 }, (_, n) => n * 10));
    expect(peak).toBe(4);
  });

  it('surfaces a failure of the source after the work in flight has settled', async () => {
    const settled: number[] = [];
    async function* failing() {
      yield 1;
      yield 2;
      throw new Error('source broke');
    }
    const consume = async () => {
      for await (const value of mapOrdered(failing(), 8, async (n) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        settled.push(n);
        return n;
      })) {
        void value;
      }
    };
    await expect(consume()).rejects.toThrow('source broke');
    expect(settled.sort()).toEqual([1, 2]);
  });
});

describe('ManifestWriter', () => {
  it('cuts the manifest into parts of 1000 lines and lists at most 1000 skipped media while counting them all', async () => {
    const client = directS3Client();
    const bucket = await createBucket(client, 'writer');
    const writer = new ManifestWriter(client, bucket, 'ds', 'op');
    const line = (n: number): ManifestLine => ({
      media_id: n.toString(16).padStart(24, '0'),
      type: n % 10 === 0 ? 'video' : 'image',
      source_uri: `s3://src-bucket/${n}.jpg`,
      location: { bucket: 'src-bucket', key: `${n}.jpg` },
      bytes: 100,
      mime: 'image/jpeg',
    });
    for (let n = 0; n < 2500; n += 1) await writer.add(line(n));
    for (let n = 0; n < 1200; n += 1) writer.skip({ name: `bad-${n}.jpg`, reason: 'empty file' });

    const summary = await writer.finish();

    expect(summary).toEqual({
      n_images: 2250,
      n_videos: 250,
      n_objects: 0,
      n_parts: 3,
      n_skipped: 1200,
      skipped: Array.from({ length: 1000 }, (_, n) => ({ name: `bad-${n}.jpg`, reason: 'empty file' })),
      total_bytes: 250_000,
    });
    const { lines, partKeys } = await readBatchOutputs(client, bucket, 'ds', 'op');
    expect(lines).toEqual(Array.from({ length: 2500 }, (_, n) => line(n)));
    expect(await listKeys(client, bucket, 'datasets/ds/batches/op/manifest/')).toEqual(partKeys);
    const lastPart = (await getObject(client, bucket, manifestPartKey('ds', 'op', 2))).toString();
    expect(lastPart.trimEnd().split('\n')).toHaveLength(500);
  });
});

describe('failureLine', () => {
  it('is one JSON line carrying the message', () => {
    expect(failureLine(new Error('Archive x.zip:\n  bad entry'))).toBe('{"error":"Archive x.zip: bad entry"}');
    expect(failureLine('plain')).toBe('{"error":"plain"}');
  });
});
