import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { thumbnailKey } from '../../core/store/batch-paths';
import { clusterKey, mediaKey } from '../../core/store/table-schema';
import { createGetClusterHandler } from '../../lambdas/get-cluster/handler';
import type { ApiHandler } from '../../lambdas/http/api-handler';
import { createListMediaHandler } from '../../lambdas/list-media/handler';
import { getClusterEvent, listMediaEvent } from '../support/api-events';
import { type ApiTestBed, createApiTestBed, expectError, READER, STRANGER, seedDataset } from './api-test-bed';

let bed: ApiTestBed;
let getCluster: ApiHandler;
let listMedia: ApiHandler;

interface MediaItem {
  media_id: string;
  cluster_id: string | null;
  thumbnail_url: string | null;
  url: string | null;
}
interface ClusterDetail {
  cluster: { cluster_id: string; size: number; representative_media_id: string; partial: boolean };
  items: MediaItem[];
  next_cursor: string | null;
}

const bodyOf = <T>(response: APIGatewayProxyResult): T => {
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body) as T;
};

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

/**
 * A dataset committed under clustering c1 with batches b1, b2 (b3 still running): cluster k holds m1..m4 (m3 the
 * representative; m2 only by its previous assignment, its current one belonging to an uncommitted reindex), cluster j
 * holds m5; u1 of the running batch says k but is not visible.
 */
async function seedClusteredDataset(): Promise<string> {
  const id = await seedDataset(bed, { clustering_id: 'c1', batches: ['b1', 'b2'] });
  const media = (batchId: string, mediaId: string, extra: Record<string, unknown>) => ({
    ...mediaKey(id, batchId, mediaId),
    dataset_id: id,
    media_id: mediaId,
    type: 'image',
    source_uri: `s3://source/${mediaId}.jpg`,
    batch_id: batchId,
    added_at: '2024-05-01T00:00:00.000Z',
    ...extra,
  });
  await putItems([
    media('b1', 'm1', { cluster_id: 'k', clustering_id: 'c1', outlier_score: 0.3 }),
    media('b1', 'm2', {
      cluster_id: 'other',
      clustering_id: 'c2-running',
      prev_cluster_id: 'k',
      prev_clustering_id: 'c1',
      outlier_score: 0.1,
    }),
    media('b2', 'm3', { cluster_id: 'k', clustering_id: 'c1', outlier_score: 0.9 }),
    media('b2', 'm4', { cluster_id: 'k', clustering_id: 'c1' }),
    media('b2', 'm5', { cluster_id: 'j', clustering_id: 'c1' }),
    media('b1', 'm6', { cluster_id: 'k', clustering_id: 'c0' }),
    media('b3', 'u1', { cluster_id: 'k', clustering_id: 'c1' }),
    { ...clusterKey(id, 'c1', 'k'), cluster_id: 'k', size: 4, representative: 'm3', partial: false },
    { ...clusterKey(id, 'c1', 'j'), cluster_id: 'j', size: 1, representative: 'm5', partial: false },
    { ...clusterKey(id, 'c1', 'p'), cluster_id: 'p', size: 1, representative: 'u1', partial: true, batch_id: 'b3' },
    { ...clusterKey(id, 'c0', 'old'), cluster_id: 'old', size: 9, representative: 'm1', partial: false },
  ]);
  return id;
}

beforeAll(async () => {
  bed = await createApiTestBed();
  getCluster = createGetClusterHandler(() => bed.context);
  listMedia = createListMediaHandler(() => bed.context);
});

describe('GET /api/v1/dataset/{id}/clusters/{cluster_id}', () => {
  it('shows the cluster and its visible members, the representative first, then the least unusual', async () => {
    const id = await seedClusteredDataset();
    const detail = bodyOf<ClusterDetail>(await getCluster(getClusterEvent(id, 'k', {}, READER)));
    expect(detail.cluster).toEqual({
      cluster_id: 'k',
      size: 4,
      representative_media_id: 'm3',
      partial: false,
      clustering_id: 'c1',
    });
    expect(detail.items.map((item) => item.media_id)).toEqual(['m3', 'm2', 'm1', 'm4']);
    expect(detail.items.every((item) => item.cluster_id === 'k')).toBe(true);
    expect(detail.next_cursor).toBeNull();
  });

  it('pages the members with a cursor', async () => {
    const id = await seedClusteredDataset();
    const first = bodyOf<ClusterDetail>(await getCluster(getClusterEvent(id, 'k', { limit: '3' }, READER)));
    expect(first.items.map((item) => item.media_id)).toEqual(['m3', 'm2', 'm1']);
    const second = bodyOf<ClusterDetail>(
      await getCluster(getClusterEvent(id, 'k', { limit: '3', cursor: first.next_cursor! }, READER)),
    );
    expect(second.items.map((item) => item.media_id)).toEqual(['m4']);
    expect(second.next_cursor).toBeNull();
    expectError(
      await getCluster(getClusterEvent(id, 'j', { cursor: first.next_cursor! }, READER)),
      400,
      "Query parameter 'cursor' is not a cursor of this listing",
    );
  });

  it('answers 404 for a cluster of another clustering, of an uncommitted batch, or unknown; and to a stranger', async () => {
    const id = await seedClusteredDataset();
    for (const clusterId of ['old', 'p', 'nope', 'bad id!']) {
      expectError(await getCluster(getClusterEvent(id, clusterId, {}, READER)), 404, 'Cluster not found');
    }
    expectError(await getCluster(getClusterEvent(id, 'k', {}, STRANGER)), 404, 'Dataset not found');
    expectError(await getCluster(getClusterEvent(randomUUID(), 'k', {}, READER)), 404, 'Dataset not found');
  });
});

describe('GET /api/v1/dataset/{id}/media?cluster_id=', () => {
  it('lists only the media shown in that cluster, in page order, across batches', async () => {
    const id = await seedClusteredDataset();
    const first = bodyOf<{ items: MediaItem[]; next_cursor: string | null }>(
      await listMedia(listMediaEvent(id, { cluster_id: 'k', limit: '2' }, READER)),
    );
    expect(first.items.map((item) => item.media_id)).toEqual(['m1', 'm2']);
    const second = bodyOf<{ items: MediaItem[]; next_cursor: string | null }>(
      await listMedia(listMediaEvent(id, { cluster_id: 'k', limit: '2', cursor: first.next_cursor! }, READER)),
    );
    expect(second.items.map((item) => item.media_id)).toEqual(['m3', 'm4']);
    const single = bodyOf<{ items: MediaItem[] }>(await listMedia(listMediaEvent(id, { cluster_id: 'j' }, READER)));
    expect(single.items.map((item) => item.media_id)).toEqual(['m5']);
    const byBatch = bodyOf<{ items: MediaItem[] }>(
      await listMedia(listMediaEvent(id, { cluster_id: 'k', batch_id: 'b2' }, READER)),
    );
    expect(byBatch.items.map((item) => item.media_id)).toEqual(['m3', 'm4']);
  });

  it('refuses a malformed cluster id and any query parameter it does not know, naming it', async () => {
    const id = await seedClusteredDataset();
    expectError(
      await listMedia(listMediaEvent(id, { cluster_id: 'no/slash' }, READER)),
      400,
      "Query parameter 'cluster_id' is not a valid cluster id",
    );
    expectError(
      await listMedia(listMediaEvent(id, { clusterid: 'k', sort: 'size' }, READER)),
      400,
      "Unknown query parameters 'clusterid', 'sort'; this route takes 'batch_id', 'cluster_id', 'cursor', 'limit'",
    );
  });
});

describe('media links', () => {
  it('are presigned GETs of the thumbnail and of the media, expiring after 15 minutes, that open them', async () => {
    const id = await seedDataset(bed, { clustering_id: 'c1', batches: ['b1'] });
    const stored = `datasets/${id}/batches/b1/media/m1.jpg`;
    await bed.table.client.send(
      new BatchWriteCommand({
        RequestItems: {
          [bed.table.tableName]: [
            {
              PutRequest: {
                Item: {
                  ...mediaKey(id, 'b1', 'm1'),
                  dataset_id: id,
                  media_id: 'm1',
                  type: 'image',
                  source_uri: 'upload.jpg',
                  location: { bucket: bed.bucket.bucket, key: stored },
                  batch_id: 'b1',
                  added_at: '2024-05-01T00:00:00.000Z',
                  cluster_id: 'k',
                  clustering_id: 'c1',
                },
              },
            },
            {
              PutRequest: {
                Item: {
                  ...mediaKey(id, 'b1', 'm2'),
                  dataset_id: id,
                  media_id: 'm2',
                  type: 'image',
                  source_uri: 's3://elsewhere/x.jpg',
                  location: { bucket: 'not-readable-here', key: 'x.jpg' },
                  batch_id: 'b1',
                  added_at: '2024-05-01T00:00:00.000Z',
                  cluster_id: 'k',
                  clustering_id: 'c1',
                },
              },
            },
          ],
        },
      }),
    );
    const put = (Key: string, Body: string) =>
      bed.bucket.client.send(new PutObjectCommand({ Bucket: bed.bucket.bucket, Key, Body }));
    await put(thumbnailKey(id, 'b1', 'm1'), 'thumbnail bytes');
    await put(stored, 'media bytes');

    const page = bodyOf<{ items: MediaItem[] }>(await listMedia(listMediaEvent(id, {}, READER)));
    const [m1, m2] = page.items;
    for (const link of [m1!.thumbnail_url!, m1!.url!]) {
      const url = new URL(link);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await (await fetch(m1!.thumbnail_url!)).text()).toBe('thumbnail bytes');
    expect(await (await fetch(m1!.url!)).text()).toBe('media bytes');
    expect(m2!.thumbnail_url).toContain(thumbnailKey(id, 'b1', 'm2'));
    expect(m2!.url).toBeNull();
  });
});
