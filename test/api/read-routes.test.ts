import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../core/operations/cursor';
import { clusterKey, mediaKey } from '../../core/store/table-schema';
import { createGetDatasetHandler } from '../../lambdas/get-dataset/handler';
import type { ApiHandler } from '../../lambdas/http/api-handler';
import { createListClustersHandler } from '../../lambdas/list-clusters/handler';
import { createListDatasetsHandler } from '../../lambdas/list-datasets/handler';
import { createListMediaHandler } from '../../lambdas/list-media/handler';
import { getDatasetEvent, listClustersEvent, listDatasetsEvent, listMediaEvent } from '../support/api-events';
import {
  type ApiTestBed,
  createApiTestBed,
  EMBEDDING_CONFIG,
  expectError,
  OWNER,
  READER,
  STRANGER,
  seedDataset,
} from './api-test-bed';

let bed: ApiTestBed;
let getDataset: ApiHandler;
let listDatasets: ApiHandler;
let listMedia: ApiHandler;
let listClusters: ApiHandler;

const bodyOf = <T>(response: APIGatewayProxyResult): T => {
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body) as T;
};
interface MediaPage {
  items: { media_id: string; batch_id: string; cluster_id: string | null; frame_count?: number; type: string }[];
  next_cursor: string | null;
}
interface ClusterPage {
  items: { cluster_id: string; size: number; representative_media_id: string; partial: boolean }[];
  next_cursor: string | null;
  clustering_id: string;
  clustering_state: string;
}

async function putItems(items: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    await bed.table.client.send(
      new BatchWriteCommand({
        RequestItems: {
          [bed.table.tableName]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
}

const media = (datasetId: string, batchId: string, mediaId: string, extra: Record<string, unknown> = {}) => ({
  ...mediaKey(datasetId, batchId, mediaId),
  dataset_id: datasetId,
  media_id: mediaId,
  type: 'image',
  source_uri: `s3://source/${mediaId}.jpg`,
  batch_id: batchId,
  added_at: '2024-05-01T00:00:00.000Z',
  cluster_id: `k-${mediaId}`,
  clustering_id: 'c1',
  ...extra,
});

beforeAll(async () => {
  bed = await createApiTestBed();
  getDataset = createGetDatasetHandler(() => bed.context);
  listDatasets = createListDatasetsHandler(() => bed.context);
  listMedia = createListMediaHandler(() => bed.context);
  listClusters = createListClustersHandler(() => bed.context);
});

describe('GET /api/v1/dataset/{id}', () => {
  it('shows the dataset with its API status names to anyone who can read it', async () => {
    const id = await seedDataset(bed, { status: 'PENDING_INDEX', n_images: 17, n_videos: 31, progress: 100 });
    const view = bodyOf<Record<string, unknown>>(await getDataset(getDatasetEvent(id, READER)));
    expect(view).toMatchObject({
      id,
      status: 'PENDING_INDEX',
      status_new: 'PARTIAL INDEX',
      n_images: 17,
      n_videos: 31,
      progress: 100,
      embedding_config: EMBEDDING_CONFIG,
      active_task: null,
      error: null,
    });
  });

  it('answers 404 for a missing dataset, a stranger and a malformed id; 401 without a caller', async () => {
    const id = await seedDataset(bed);
    for (const [datasetId, caller] of [
      [randomUUID(), OWNER],
      [id, STRANGER],
      ['bad#id', OWNER],
    ] as const) {
      expectError(await getDataset(getDatasetEvent(datasetId, caller)), 404, 'Dataset not found');
    }
    expectError(await getDataset(getDatasetEvent(id, null)), 401, 'Not authenticated');
  });
});

describe('GET /api/v1/datasets', () => {
  it('answers a plain array of the datasets the caller can read', async () => {
    const owner = { sub: `lister-${randomUUID()}` };
    const mine = await seedDataset(bed, { owner: owner.sub, readers: [], writers: [] });
    const shared = await seedDataset(bed, { readers: [owner.sub] });
    await seedDataset(bed);
    const views = bodyOf<{ id: string; status_new: string }[]>(await listDatasets(listDatasetsEvent(owner)));
    expect(Array.isArray(views)).toBe(true);
    expect(views.map((view) => view.id).sort()).toEqual([mine, shared].sort());
    expect(views[0]).toHaveProperty('status_new', 'READY');
    expect(bodyOf<unknown[]>(await listDatasets(listDatasetsEvent({ sub: `nobody-${randomUUID()}` })))).toEqual([]);
  });
});

describe('GET /api/v1/dataset/{id}/media', () => {
  let id: string;
  beforeAll(async () => {
    id = await seedDataset(bed, { batches: ['b2', 'b1'], clustering_id: 'c1' });
    await putItems([
      media(id, 'b1', 'm1'),
      media(id, 'b1', 'm2', {
        clustering_id: 'c2',
        cluster_id: 'k-new',
        prev_clustering_id: 'c1',
        prev_cluster_id: 'k-old',
      }),
      media(id, 'b1', 'm3', { clustering_id: 'c0' }),
      media(id, 'b2', 'm4', { type: 'video', frame_count: 12 }),
      media(id, 'b2', 'm5'),
      media(id, 'b0', 'u1'),
      media(id, 'b3', 'u2'),
    ]);
  });

  it('pages through the media of committed batches only, following the cursor', async () => {
    const pages: MediaPage[] = [];
    let cursor: string | null = null;
    do {
      const page: MediaPage = bodyOf<MediaPage>(
        await listMedia(listMediaEvent(id, { limit: '2', ...(cursor ? { cursor } : {}) }, READER)),
      );
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor);
    expect(pages.map((page) => page.items.map((item) => item.media_id))).toEqual([['m1', 'm2'], ['m3', 'm4'], ['m5']]);
    const all = pages.flatMap((page) => page.items);
    expect(Object.fromEntries(all.map((item) => [item.media_id, item.cluster_id]))).toEqual({
      m1: 'k-m1',
      m2: 'k-old',
      m3: null,
      m4: 'k-m4',
      m5: 'k-m5',
    });
    expect(all.find((item) => item.media_id === 'm4')).toEqual({
      media_id: 'm4',
      type: 'video',
      source_uri: 's3://source/m4.jpg',
      batch_id: 'b2',
      cluster_id: 'k-m4',
      added_at: '2024-05-01T00:00:00.000Z',
      frame_count: 12,
      thumbnail_url: expect.stringContaining('/batches/b2/thumbnails/m4.webp?X-Amz-'),
      url: null,
    });
    expect(all.find((item) => item.media_id === 'm1')).not.toHaveProperty('frame_count');
  });

  it('answers the default page of everything visible, and filters by batch', async () => {
    expect(bodyOf<MediaPage>(await listMedia(listMediaEvent(id, {}, OWNER))).items).toHaveLength(5);
    const batch = bodyOf<MediaPage>(await listMedia(listMediaEvent(id, { batch_id: 'b2' }, OWNER)));
    expect(batch).toEqual({
      items: [expect.objectContaining({ media_id: 'm4' }), expect.objectContaining({ media_id: 'm5' })],
      next_cursor: null,
    });
    expect(bodyOf<MediaPage>(await listMedia(listMediaEvent(id, { batch_id: 'b3' }, OWNER)))).toEqual({
      items: [],
      next_cursor: null,
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ limit: '0' }, "Query parameter 'limit' must be an integer between 1 and 1000"],
    [{ limit: '1001' }, "Query parameter 'limit' must be an integer between 1 and 1000"],
    [{ limit: '1e2' }, "Query parameter 'limit' must be an integer between 1 and 1000"],
    [{ cursor: 'not a cursor' }, "Query parameter 'cursor' is not a cursor of this listing"],
    [
      { cursor: Buffer.from('{"pk":1}').toString('base64url') },
      "Query parameter 'cursor' is not a cursor of this listing",
    ],
    [{ batch_id: 'b1#x' }, "Query parameter 'batch_id' is not a valid batch id"],
  ])('answers 400 for %j', async (query, detail) => {
    expectError(await listMedia(listMediaEvent(id, query, OWNER)), 400, detail);
  });

  it("refuses another dataset's cursor and a cursor into an uncommitted batch", async () => {
    const foreign = encodeCursor(mediaKey(randomUUID(), 'b1', 'm1'));
    const uncommitted = encodeCursor(mediaKey(id, 'b3', 'u2'));
    for (const cursor of [foreign, uncommitted]) {
      expectError(
        await listMedia(listMediaEvent(id, { cursor }, OWNER)),
        400,
        "Query parameter 'cursor' is not a cursor of this listing",
      );
    }
  });

  it('answers 404 to a stranger', async () => {
    expectError(await listMedia(listMediaEvent(id, {}, STRANGER)), 404, 'Dataset not found');
  });
});

describe('GET /api/v1/dataset/{id}/clusters', () => {
  it('pages through the clusters of the committed clustering, partial ones flagged', async () => {
    const id = await seedDataset(bed, { clustering_id: 'c1', clustering_state: 'partial' });
    const cluster = (clusteringId: string, clusterId: string, partial: boolean) => ({
      ...clusterKey(id, clusteringId, clusterId),
      cluster_id: clusterId,
      size: clusterId.length,
      representative: `rep-${clusterId}`,
      partial,
      clustering_id: clusteringId,
    });
    await putItems([
      cluster('c1', 'a', false),
      cluster('c1', 'bb', false),
      cluster('c1', 'ccc', true),
      cluster('c0', 'old', false),
    ]);

    const first = bodyOf<ClusterPage>(await listClusters(listClustersEvent(id, { limit: '2' }, READER)));
    expect(first).toMatchObject({ clustering_id: 'c1', clustering_state: 'partial' });
    expect(first.items).toEqual([
      { cluster_id: 'a', size: 1, representative_media_id: 'rep-a', partial: false },
      { cluster_id: 'bb', size: 2, representative_media_id: 'rep-bb', partial: false },
    ]);
    const second = bodyOf<ClusterPage>(
      await listClusters(listClustersEvent(id, { limit: '2', cursor: first.next_cursor! }, READER)),
    );
    expect(second.items).toEqual([{ cluster_id: 'ccc', size: 3, representative_media_id: 'rep-ccc', partial: true }]);
    expect(second.next_cursor).toBeNull();

    const stale = encodeCursor(clusterKey(id, 'c0', 'old'));
    expectError(
      await listClusters(listClustersEvent(id, { cursor: stale }, READER)),
      400,
      "Query parameter 'cursor' is not a cursor of this listing",
    );
    expectError(await listClusters(listClustersEvent(id, {}, STRANGER)), 404, 'Dataset not found');
  });

  it('shows the incremental clusters of a dataset never clustered in full', async () => {
    const id = await seedDataset(bed, { clustering_id: undefined, clustering_state: undefined });
    await putItems([
      {
        ...clusterKey(id, 'initial', 'z'),
        cluster_id: 'z',
        size: 4,
        representative: 'm9',
        partial: true,
        clustering_id: 'initial',
      },
    ]);
    expect(bodyOf<ClusterPage>(await listClusters(listClustersEvent(id, {}, OWNER)))).toEqual({
      items: [{ cluster_id: 'z', size: 4, representative_media_id: 'm9', partial: true }],
      next_cursor: null,
      clustering_id: 'initial',
      clustering_state: 'partial',
    });
  });

  it('hides the partial clusters of a batch that is not committed', async () => {
    const id = await seedDataset(bed, { clustering_id: 'c1', clustering_state: 'partial', batches: ['done'] });
    const partial = (clusterId: string, batchId: string) => ({
      ...clusterKey(id, 'c1', clusterId),
      cluster_id: clusterId,
      size: 1,
      representative: `rep-${clusterId}`,
      partial: true,
      clustering_id: 'c1',
      batch_id: batchId,
    });
    await putItems([partial('from-done', 'done'), partial('from-running', 'running')]);
    const page = bodyOf<ClusterPage>(await listClusters(listClustersEvent(id, {}, OWNER)));
    expect(page.items.map((cluster) => cluster.cluster_id)).toEqual(['from-done']);
  });
});
