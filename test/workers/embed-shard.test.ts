import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import { OperationSupersededError } from '../../core/pipeline/operation-commit';
import { embeddingShardKeys, thumbnailKey } from '../../core/store/batch-paths';
import { datasetKey } from '../../core/store/table-schema';
import { recordShardDone } from '../../workers/embed/shard-progress';
import { makeImage, makeVideo, truncated } from '../support/media-fixtures';
import { createTestTable, type TestBucket, type TestTable } from '../support/servers';
import { createWorkerBucket, embedBatch, newId, putLockedDataset, stageBatch, testModel } from './embed-support';

const D = TEST_EMBEDDING_CONFIG.dimension;

describe('embed worker (s3rver + DynamoDB Local)', () => {
  let bucket: TestBucket;
  let table: TestTable;
  const scratch = mkdtempSync(join(tmpdir(), 'embed-test-'));
  const model = testModel();

  beforeAll(async () => {
    [bucket, table] = await Promise.all([createWorkerBucket(), createTestTable()]);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const text = async (key: string) =>
    (await bucket.client.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: key }))).Body!.transformToString();
  const bytes = async (key: string) =>
    (await bucket.client.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: key }))).Body!.transformToByteArray();

  it('writes row-aligned unit vectors, rows and the skipped list, then records its progress', async () => {
    const datasetId = newId();
    const batchId = newId();
    await putLockedDataset(table, datasetId, batchId, { shards_total: 2 });
    const jpeg = await makeImage({ seed: 1, width: 120, height: 80 });
    const rotated = await sharp(await makeImage({ seed: 2, width: 64, height: 48, format: 'png' }))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const video = readFileSync(
      await makeVideo(join(scratch, 'clip.mp4'), { seconds: 3, fps: 5, width: 96, height: 64 }),
    );
    const [lines] = await stageBatch(bucket, datasetId, batchId, [
      [
        { name: 'a.jpg', type: 'image', bytes: jpeg },
        { name: 'broken.jpg', type: 'image', bytes: truncated(jpeg, 0.4) },
        { name: 'rotated.jpg', type: 'image', bytes: rotated },
        { name: 'noise.jpg', type: 'image', bytes: Buffer.from('not an image at all') },
        { name: 'clip.mp4', type: 'video', bytes: video },
        { name: 'gone.jpg', type: 'image' },
      ],
    ]);

    // An encoder with a pixel check: images keep their prints (videos have none).
    await embedBatch(bucket, table, datasetId, batchId, 1, model, {
      config: { ...TEST_EMBEDDING_CONFIG, phash_distance: 10, pixel_agreement: 0.9 },
    });

    const keys = embeddingShardKeys(datasetId, batchId, 0);
    const rows = (await text(keys.rows))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toEqual([
      {
        media_id: lines[0].media_id,
        type: 'image',
        source_uri: 'upload://a.jpg',
        location: lines[0].location,
        width: 120,
        height: 80,
        phash: expect.stringMatching(/^[0-9a-f]{32}$/),
        print: expect.stringMatching(/^[A-Za-z0-9+/]{1024}$/),
      },
      {
        media_id: lines[2].media_id,
        type: 'image',
        source_uri: 'upload://rotated.jpg',
        location: lines[2].location,
        width: 48,
        height: 64,
        phash: expect.stringMatching(/^[0-9a-f]{32}$/),
        print: expect.stringMatching(/^[A-Za-z0-9+/]{1024}$/),
      },
      {
        media_id: lines[4].media_id,
        type: 'video',
        source_uri: 'upload://clip.mp4',
        location: lines[4].location,
        frame_count: 3,
        width: 96,
        height: 64,
      },
    ]);
    const raw = await bytes(keys.vectors);
    expect(raw.byteLength).toBe(rows.length * D * 4);
    const vectors = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    for (let r = 0; r < rows.length; r++) {
      const norm = Math.hypot(...vectors.subarray(r * D, (r + 1) * D));
      expect(norm).toBeCloseTo(1, 5);
    }
    const skipped = JSON.parse(await text(keys.skipped)) as { name: string; reason: string }[];
    expect(skipped.map((s) => s.name)).toEqual(['upload://broken.jpg', 'upload://noise.jpg', 'upload://gone.jpg']);
    expect(skipped[0].reason).toBe('cannot decode image: corrupt or truncated image data');
    expect(skipped[1].reason).toMatch(/^cannot decode image: .*unsupported image format/i);
    expect(skipped[2].reason).toMatch(/no longer exists/);
    // One thumbnail per embedded media, none for the skipped.
    for (const row of rows) {
      const thumbnail = await bytes(thumbnailKey(datasetId, batchId, row.media_id));
      expect(Buffer.from(thumbnail.subarray(8, 12)).toString('latin1')).toBe('WEBP');
    }

    const dataset = (
      await table.client.send(new GetCommand({ TableName: table.tableName, Key: datasetKey(datasetId) }))
    ).Item!;
    expect(dataset.shards_done).toBe(1);
    expect(dataset.progress).toBe(5 + Math.floor(85 / 2));
  });

  it('keeps no pixel prints for an encoder without a pixel check', async () => {
    const datasetId = newId();
    const batchId = newId();
    await putLockedDataset(table, datasetId, batchId);
    await stageBatch(bucket, datasetId, batchId, [
      [{ name: 'a.png', type: 'image', bytes: await makeImage({ seed: 5, width: 40, height: 40, format: 'png' }) }],
    ]);
    await embedBatch(bucket, table, datasetId, batchId, 1, model);
    const [row] = (await text(embeddingShardKeys(datasetId, batchId, 0).rows))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(row).toMatchObject({ type: 'image', phash: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(row).not.toHaveProperty('print');
  });

  it('moves progress forward only, whichever of two shards finishes last', async () => {
    const datasetId = newId();
    const operationId = newId();
    await putLockedDataset(table, datasetId, operationId, { shards_total: 3 });
    const target = { client: table.client, tableName: table.tableName, datasetId, operationId };
    await Promise.all([recordShardDone(target, new Date()), recordShardDone(target, new Date())]);
    const read = async () =>
      (await table.client.send(new GetCommand({ TableName: table.tableName, Key: datasetKey(datasetId) }))).Item!;
    expect(await read()).toMatchObject({ shards_done: 2, progress: 5 + Math.floor((85 * 2) / 3) });
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: datasetKey(datasetId),
        UpdateExpression: 'SET progress = :p',
        ExpressionAttributeValues: { ':p': 95 },
      }),
    );
    await expect(recordShardDone(target, new Date())).resolves.toMatchObject({ done: 3, progress: 90 });
    expect(await read()).toMatchObject({ shards_done: 3, progress: 95 });
  });

  it('refuses to record a shard for an operation that no longer holds the dataset', async () => {
    const datasetId = newId();
    const batchId = newId();
    await putLockedDataset(table, datasetId, batchId);
    await stageBatch(bucket, datasetId, batchId, [
      [{ name: 'a.jpg', type: 'image', bytes: await makeImage({ seed: 3 }) }],
    ]);
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: datasetKey(datasetId),
        UpdateExpression: 'REMOVE active_task',
      }),
    );
    await expect(embedBatch(bucket, table, datasetId, batchId, 1, model)).rejects.toBeInstanceOf(
      OperationSupersededError,
    );
    const dataset = (
      await table.client.send(new GetCommand({ TableName: table.tableName, Key: datasetKey(datasetId) }))
    ).Item!;
    expect(dataset.shards_done).toBe(0);
  });

  it('refuses a model whose bytes do not match the pinned sha256', async () => {
    const datasetId = newId();
    const batchId = newId();
    await putLockedDataset(table, datasetId, batchId);
    await stageBatch(bucket, datasetId, batchId, [
      [{ name: 'a.jpg', type: 'image', bytes: await makeImage({ seed: 4 }) }],
    ]);
    await expect(
      embedBatch(bucket, table, datasetId, batchId, 1, { ...model, sha256: '0'.repeat(64) }),
    ).rejects.toThrow(/contradicts the dataset's embedding_config.model_sha256/);
  });
});
