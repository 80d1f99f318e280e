import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingShardKeys } from '../../core/store/batch-paths';
import { makeImage, truncated } from '../support/media-fixtures';
import { createTestTable, TEST_CREDENTIALS, TEST_REGION, type TestBucket, type TestTable } from '../support/servers';
import {
  createWorkerBucket,
  embedBatch,
  type MediaSpec,
  newId,
  putLockedDataset,
  stageBatch,
  testModel,
} from './embed-support';

/** A client of the same s3rver whose process "dies" (every later call fails) once `dieAfter` says so. */
function dyingClient(bucket: TestBucket, dieAfter: (key: string) => boolean): S3Client {
  const client = new S3Client({
    endpoint: bucket.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
  });
  let dead = false;
  client.middlewareStack.add(
    (next) => async (args) => {
      if (dead) throw new Error('the task was killed');
      const result = await next(args);
      const key = (args.input as { Key?: string }).Key;
      if (key && args.request && (args.request as { method?: string }).method === 'PUT' && dieAfter(key)) dead = true;
      return result;
    },
    { step: 'build' },
  );
  return client;
}

/** A client that lists the media keys it reads: what a run processed. */
function countingClient(bucket: TestBucket, read: string[]): S3Client {
  const client = new S3Client({
    endpoint: bucket.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const key = (args.input as { Key?: string }).Key;
      if (key?.includes('/media/')) read.push(key);
      return next(args);
    },
    { step: 'initialize' },
  );
  return client;
}

describe('embed shard checkpoint (s3rver + DynamoDB Local)', () => {
  let bucket: TestBucket;
  let table: TestTable;
  const model = testModel();

  beforeAll(async () => {
    [bucket, table] = await Promise.all([createWorkerBucket(), createTestTable()]);
  });
  afterAll(() => rmSync(dirname(fileURLToPath(model.uri)), { recursive: true, force: true }));

  const objectBytes = async (key: string) =>
    Buffer.from(
      await (
        await bucket.client.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: key }))
      ).Body!.transformToByteArray(),
    );
  const keysUnder = async (prefix: string) =>
    (
      (await bucket.client.send(new ListObjectsV2Command({ Bucket: bucket.bucket, Prefix: prefix }))).Contents ?? []
    ).map((object) => object.Key!);

  /** The shard's three output files, byte for byte. */
  const shardOutput = async (datasetId: string, batchId: string) => {
    const keys = embeddingShardKeys(datasetId, batchId, 0);
    return {
      vectors: await objectBytes(keys.vectors),
      rows: (await objectBytes(keys.rows)).toString('utf8'),
      skipped: (await objectBytes(keys.skipped)).toString('utf8'),
    };
  };

  /** Twelve media (one undecodable, one gone) in one shard, embedded once without interruption as the reference. */
  async function stagedWithReference() {
    const datasetId = newId();
    const batchId = newId();
    const media: MediaSpec[] = [];
    for (let seed = 0; seed < 10; seed++)
      media.push({ name: `p${seed}.jpg`, type: 'image', bytes: await makeImage({ seed, width: 64, height: 48 }) });
    media.splice(3, 0, { name: 'broken.jpg', type: 'image', bytes: truncated(Buffer.from(media[0]!.bytes!), 0.4) });
    media.splice(9, 0, { name: 'gone.jpg', type: 'image' });
    const [lines] = await stageBatch(bucket, datasetId, batchId, [media]);
    await putLockedDataset(table, datasetId, batchId);
    await embedBatch(bucket, table, datasetId, batchId, 1, model, { batchSize: 2 });
    const reference = await shardOutput(datasetId, batchId);
    // Back to before the shard ran: no output, no progress.
    for (const key of Object.values(embeddingShardKeys(datasetId, batchId, 0)))
      await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.bucket, Key: key }));
    await putLockedDataset(table, datasetId, batchId);
    const mediaKeys = lines!.map((line) => ('key' in line.location ? line.location.key : ''));
    return { datasetId, batchId, reference, mediaKeys };
  }

  const checkpointPrefix = (datasetId: string, batchId: string) =>
    `datasets/${datasetId}/batches/${batchId}/checkpoints/shard-00000/`;

  it('resumes after the periodic checkpoint parts and writes what one uninterrupted run writes', async () => {
    const { datasetId, batchId, reference, mediaKeys } = await stagedWithReference();

    // Parts every 4 entries; the task dies right after the second part is complete (8 of 12 entries).
    const dying = dyingClient(bucket, (key) => key.endsWith('checkpoints/shard-00000/part-00001.json'));
    await expect(
      embedBatch(bucket, table, datasetId, batchId, 1, model, { s3: dying, batchSize: 2, checkpointEvery: 4 }),
    ).rejects.toThrow('the task was killed');
    expect((await keysUnder(checkpointPrefix(datasetId, batchId))).filter((key) => key.endsWith('.json'))).toHaveLength(
      2,
    );

    const read: string[] = [];
    const logged: string[] = [];
    await embedBatch(bucket, table, datasetId, batchId, 1, model, {
      s3: countingClient(bucket, read),
      batchSize: 2,
      checkpointEvery: 4,
      log: (message) => logged.push(message),
    });

    expect(await shardOutput(datasetId, batchId)).toEqual(reference);
    expect([...new Set(read)].sort()).toEqual(mediaKeys.slice(8).sort());
    expect(logged).toContain('shard 0: resuming after 8 of 12 media (checkpoint)');
    expect(await keysUnder(checkpointPrefix(datasetId, batchId))).toEqual([]);
  });

  it('checkpoints every completed batch once stopped (SIGTERM), so the rerun does only the rest', async () => {
    const { datasetId, batchId, reference, mediaKeys } = await stagedWithReference();

    // No periodic part; SIGTERM arrives while the third media is read, and the task dies after the first part.
    const stop = new AbortController();
    const dying = dyingClient(bucket, (key) => key.endsWith('checkpoints/shard-00000/part-00000.json'));
    let reads = 0;
    dying.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { Key?: string }).Key?.includes('/media/') && ++reads === 3) stop.abort();
        return next(args);
      },
      { step: 'initialize' },
    );
    await expect(
      embedBatch(bucket, table, datasetId, batchId, 1, model, {
        s3: dying,
        batchSize: 2,
        checkpointEvery: 1000,
        signal: stop.signal,
      }),
    ).rejects.toThrow('the task was killed');
    const marker = JSON.parse(
      (await objectBytes(`${checkpointPrefix(datasetId, batchId)}part-00000.json`)).toString('utf8'),
    ) as { entries_from: number; entries_to: number };
    expect(marker.entries_from).toBe(0);
    expect(marker.entries_to).toBeGreaterThanOrEqual(2);
    expect(marker.entries_to).toBeLessThan(12);

    const read: string[] = [];
    await embedBatch(bucket, table, datasetId, batchId, 1, model, {
      s3: countingClient(bucket, read),
      batchSize: 2,
      checkpointEvery: 1000,
    });

    expect(await shardOutput(datasetId, batchId)).toEqual(reference);
    expect([...new Set(read)].sort()).toEqual(mediaKeys.slice(marker.entries_to).sort());
    expect(await keysUnder(checkpointPrefix(datasetId, batchId))).toEqual([]);
  });
});
