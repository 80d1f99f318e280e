import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { partialClusterPrefix } from '../../core/clustering/cluster-ids';
import { acquireDatasetLock } from '../../core/datasets/dataset-lock';
import type { DatasetStatus, TaskType } from '../../core/datasets/dataset-status';
import { commitBatch, completeReindex, OperationSupersededError } from '../../core/pipeline/operation-commit';
import { assignKey, clusteringPrefix } from '../../core/store/batch-paths';
import { clusterPartition, datasetKey, INITIAL_CLUSTERING_ID, mediaPartition } from '../../core/store/table-schema';
import { runAssign } from '../../workers/assign/incremental-job';
import { clusteringKey } from '../../workers/cluster/clustering-files';
import { runFullClustering } from '../../workers/cluster/full-clustering';
import { PARTITION_FILES } from '../../workers/cluster/partition-files';
import { makeImage, makeVideo } from '../support/media-fixtures';
import { createTestTable, type TestBucket, type TestTable } from '../support/servers';
import {
  createWorkerBucket,
  embedBatch,
  type MediaSpec,
  newId,
  putLockedDataset,
  stageBatch,
  testModel,
} from './embed-support';

/**
 * One dataset through its life: initial index (embed → assign under `initial` → full clustering), a batch of
 * near-duplicates and new images assigned incrementally, a batch that only matches the previous uncommitted-to-a-
 * clustering batch, then a full re-clustering that must agree with the incremental decisions.
 */
describe('assign and cluster workers (s3rver + DynamoDB Local)', () => {
  let bucket: TestBucket;
  let table: TestTable;
  const model = testModel();
  const datasetId = newId();
  const [op1, op2, op3, op4] = [newId(), newId(), newId(), newId()];
  const target = () => ({ client: table.client, tableName: table.tableName, events: async () => undefined });
  const image = (seed: number) => makeImage({ seed, width: 320, height: 240 });

  beforeAll(async () => {
    [bucket, table] = await Promise.all([createWorkerBucket(), createTestTable()]);
  });

  const assign = (batchId: string) =>
    runAssign({
      ...target(),
      s3: bucket.client,
      bucket: bucket.bucket,
      datasetId,
      batchId,
      threshold: 0.9,
      k: 10,
      executionProvider: 'cpu',
      log: () => {},
    });
  const cluster = (operationId: string) =>
    runFullClustering({
      ...target(),
      s3: bucket.client,
      bucket: bucket.bucket,
      datasetId,
      operationId,
      newClusteringId: operationId,
      threshold: 0.9,
      k: 10,
      executionProvider: 'cpu',
      log: () => {},
    });
  const lock = async (operationId: string, taskType: TaskType, from: DatasetStatus[], to: DatasetStatus) => {
    const result = await acquireDatasetLock(table.client, table.tableName, {
      datasetId,
      operationId,
      taskType,
      allowedFrom: from,
      lockedStatus: to,
      requireEmbeddingConfig: taskType === 'MEDIA_ADDITION',
      now: new Date(),
    });
    expect(result.acquired).toBe(true);
  };
  const addBatch = async (batchId: string, media: MediaSpec[]) => {
    await stageBatch(bucket, datasetId, batchId, [media]);
    await embedBatch(bucket, table, datasetId, batchId, 1, model);
  };
  const commit = (batchId: string, autoReindex: boolean) =>
    commitBatch(target(), {
      datasetId,
      operationId: batchId,
      added: { n_images: 0, n_videos: 0 },
      skipped: { count: 0, items: [] },
      autoReindex,
      now: new Date(),
    });
  const mediaByName = async () => {
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': mediaPartition(datasetId) },
      }),
    );
    return new Map(Items.map((item) => [String(item.source_uri).replace('upload://', ''), item]));
  };
  const clusterItem = async (clusteringId: string, clusterId: string) =>
    (
      await table.client.send(
        new GetCommand({
          TableName: table.tableName,
          Key: { pk: clusterPartition(datasetId, clusteringId), sk: clusterId },
        }),
      )
    ).Item;
  const dataset = async () =>
    (await table.client.send(new GetCommand({ TableName: table.tableName, Key: datasetKey(datasetId) }))).Item!;

  it('indexes a new dataset: partial clusters under "initial", then a full clustering', async () => {
    await putLockedDataset(table, datasetId, op1, { status: 'INDEXING' });
    const videoFolder = mkdtempSync(join(tmpdir(), 'v-'));
    const video = readFileSync(await makeVideo(join(videoFolder, 'v.mp4'), { seconds: 2, width: 96, height: 64 }));
    rmSync(videoFolder, { recursive: true, force: true });
    await addBatch(op1, [
      { name: 'one.jpg', type: 'image', bytes: await image(1) },
      { name: 'two.jpg', type: 'image', bytes: await image(2) },
      { name: 'three.jpg', type: 'image', bytes: await image(3) },
      { name: 'four.jpg', type: 'image', bytes: await image(4) },
      { name: 'clip.mp4', type: 'video', bytes: video },
    ]);

    const assigned = await assign(op1);
    expect(assigned).toEqual({
      n_images: 4,
      n_videos: 1,
      n_skipped: 0,
      n_duplicates: 0,
      skipped: [],
      n_new_clusters: 5,
      n_joined: 0,
    });
    const assignJson = JSON.parse(
      await (
        await bucket.client.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: assignKey(datasetId, op1) }))
      ).Body!.transformToString(),
    );
    expect(assignJson).toEqual(assigned);
    const initial = await mediaByName();
    expect([...initial.values()].every((item) => item.clustering_id === INITIAL_CLUSTERING_ID)).toBe(true);
    expect(initial.get('one.jpg')!.cluster_id.startsWith(partialClusterPrefix(op1))).toBe(true);
    expect(await clusterItem(INITIAL_CLUSTERING_ID, initial.get('one.jpg')!.cluster_id)).toMatchObject({
      size: 1,
      partial: true,
      batch_id: op1,
      representative: initial.get('one.jpg')!.media_id,
    });

    await commit(op1, true);
    const summary = await cluster(op1);
    expect(summary).toMatchObject({
      n_media: 5,
      n_clusters: 5,
      threshold: 0.9,
      k: 10,
      batches: [op1],
      dimension: 128,
      knn: 'exact',
    });
    await completeReindex(target(), { datasetId, operationId: op1, now: new Date() });

    const full = await mediaByName();
    const one = full.get('one.jpg')!;
    expect(one).toMatchObject({
      clustering_id: op1,
      prev_clustering_id: INITIAL_CLUSTERING_ID,
      prev_cluster_id: initial.get('one.jpg')!.cluster_id,
    });
    expect(one.outlier_score).toBeGreaterThan(0);
    expect(full.get('clip.mp4')).toMatchObject({ type: 'video', frame_count: 2 });
    const labels = await (
      await bucket.client.send(
        new GetObjectCommand({ Bucket: bucket.bucket, Key: clusteringKey(datasetId, op1, 'labels') }),
      )
    ).Body!.transformToByteArray();
    expect(labels.byteLength).toBe(5 * 4);
    // The test encoder's config has no pixel check, so no media has a print: no prints file, no print_bytes.
    const prefix = clusteringPrefix(datasetId, op1);
    const { Contents = [] } = await bucket.client.send(
      new ListObjectsV2Command({ Bucket: bucket.bucket, Prefix: prefix }),
    );
    const files = Contents.map(({ Key }) => Key!.slice(prefix.length));
    expect(files).toContain(PARTITION_FILES.rows);
    expect(files).not.toContain(PARTITION_FILES.prints);
    const layout = await (
      await bucket.client.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: prefix + PARTITION_FILES.layout }))
    ).Body!.transformToString();
    expect(JSON.parse(layout)).not.toHaveProperty('print_bytes');
    expect(await dataset()).toMatchObject({ status: 'READY', clustering_id: op1, clustering_state: 'full' });
  });

  it('assigns near-duplicates to their originals’ clusters and groups new images, counting sizes once', async () => {
    await lock(op2, 'MEDIA_ADDITION', ['READY'], 'UPDATING');
    const one = await image(1);
    const fifty = await image(50);
    await addBatch(op2, [
      {
        name: 'one-small.jpg',
        type: 'image',
        bytes: await sharp(one).resize(160, 120).jpeg({ quality: 90 }).toBuffer(),
      },
      {
        name: 'two-q60.jpg',
        type: 'image',
        bytes: await sharp(await image(2))
          .jpeg({ quality: 60 })
          .toBuffer(),
      },
      {
        name: 'three-crop.jpg',
        type: 'image',
        bytes: await sharp(await image(3))
          .extract({ left: 8, top: 6, width: 304, height: 228 })
          .toBuffer(),
      },
      { name: 'fifty.jpg', type: 'image', bytes: fifty },
      { name: 'fifty-small.jpg', type: 'image', bytes: await sharp(fifty).resize(200, 150).toBuffer() },
      { name: 'sixty.jpg', type: 'image', bytes: await image(60) },
    ]);

    const first = await assign(op2);
    expect(first).toMatchObject({ n_images: 6, n_joined: 3, n_new_clusters: 2 });
    const media = await mediaByName();
    for (const [copy, original] of [
      ['one-small.jpg', 'one.jpg'],
      ['two-q60.jpg', 'two.jpg'],
      ['three-crop.jpg', 'three.jpg'],
    ]) {
      expect(media.get(copy)).toMatchObject({
        clustering_id: op1,
        cluster_id: media.get(original)!.cluster_id,
        batch_id: op2,
      });
    }
    expect(media.get('fifty.jpg')!.cluster_id).toBe(media.get('fifty-small.jpg')!.cluster_id);
    expect(media.get('fifty.jpg')!.cluster_id.startsWith(partialClusterPrefix(op2))).toBe(true);
    expect(media.get('sixty.jpg')!.cluster_id).not.toBe(media.get('fifty.jpg')!.cluster_id);
    expect(await clusterItem(op1, media.get('fifty.jpg')!.cluster_id)).toMatchObject({
      size: 2,
      partial: true,
      batch_id: op2,
    });

    const joined = media.get('one.jpg')!.cluster_id;
    expect(await clusterItem(op1, joined)).toMatchObject({ size: 2, partial: false, added_by_batch: { [op2]: 1 } });
    await assign(op2); // a retried task
    expect((await clusterItem(op1, joined))!.size).toBe(2);
    await commit(op2, false);
    expect(await dataset()).toMatchObject({
      status: 'PENDING_INDEX',
      clustering_state: 'partial',
      batches: [op1, op2],
    });
  });

  it('matches a new media against batches added since the last full clustering', async () => {
    await lock(op3, 'MEDIA_ADDITION', ['PENDING_INDEX'], 'UPDATING');
    await addBatch(op3, [
      {
        name: 'fifty-q60.jpg',
        type: 'image',
        bytes: await sharp(await image(50))
          .jpeg({ quality: 60 })
          .toBuffer(),
      },
    ]);
    expect(await assign(op3)).toMatchObject({ n_joined: 1, n_new_clusters: 0 });
    const media = await mediaByName();
    const group = media.get('fifty.jpg')!.cluster_id;
    expect(media.get('fifty-q60.jpg')!.cluster_id).toBe(group);
    expect(await clusterItem(op1, group)).toMatchObject({ size: 3, added_by_batch: { [op3]: 1 } });
    await commit(op3, false);
  });

  it('re-clusters everything in agreement with the incremental assignments, keeping the old ones as prev_*', async () => {
    await lock(op4, 'REINDEX', ['PENDING_INDEX'], 'INDEXING');
    const before = await mediaByName();
    const summary = await cluster(op4);
    expect(summary).toMatchObject({ n_media: 12, n_clusters: 7, batches: [op1, op2, op3] });

    const after = await mediaByName();
    const clusterOf = (name: string) => after.get(name)!.cluster_id;
    for (const [copy, original] of [
      ['one-small.jpg', 'one.jpg'],
      ['two-q60.jpg', 'two.jpg'],
      ['three-crop.jpg', 'three.jpg'],
      ['fifty-small.jpg', 'fifty.jpg'],
      ['fifty-q60.jpg', 'fifty.jpg'],
    ]) {
      expect(clusterOf(copy)).toBe(clusterOf(original));
    }
    expect(
      new Set(['one.jpg', 'two.jpg', 'three.jpg', 'four.jpg', 'clip.mp4', 'fifty.jpg', 'sixty.jpg'].map(clusterOf))
        .size,
    ).toBe(7);
    for (const [name, item] of after) {
      expect(item).toMatchObject({
        clustering_id: op4,
        prev_clustering_id: op1,
        prev_cluster_id: before.get(name)!.cluster_id,
      });
    }
    expect(await clusterItem(op4, clusterOf('fifty.jpg'))).toMatchObject({
      size: 3,
      partial: false,
      clustering_id: op4,
    });
    // largest first: the three-member group is c00000000
    expect(clusterOf('fifty.jpg')).toBe('c00000000');
    await completeReindex(target(), { datasetId, operationId: op4, now: new Date() });
  });

  it('refuses to cluster for an operation that does not hold the dataset', async () => {
    await expect(cluster(newId())).rejects.toBeInstanceOf(OperationSupersededError);
    await expect(assign(newId())).rejects.toBeInstanceOf(OperationSupersededError);
  });
});
