import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CLUSTER_ID, RESOURCE_ID } from '../api-schema/identifiers';
import type { MediaPage, MediaView } from '../api-schema/response-bodies';
import type { DatasetRecord } from '../datasets/dataset-record';
import { getDataset } from '../datasets/dataset-repository';
import type { MediaRecord } from '../datasets/media-record';
import { INITIAL_CLUSTERING_ID, mediaPartition } from '../store/table-schema';
import * as messages from './api-messages';
import { decodeCursor, encodeCursor, type TableKey, tableKeyOf } from './cursor';
import { readableDataset } from './dataset-guards';
import type { MediaLinkView } from './media-links';
import type { MediaReadContext } from './media-read-context';
import { type Refused, refuse } from './operation-result';
import type { ReadContext } from './read-context';

export type { MediaView };

export interface MediaPageQuery {
  readonly datasetId: string;
  readonly caller: string;
  readonly batchId: string | undefined;
  /** Only the media shown in this cluster of the committed clustering. */
  readonly clusterId?: string | undefined;
  readonly cursor: string | undefined;
  readonly limit: number;
}

const BATCH_ID = RESOURCE_ID;

/**
 * One page of a dataset's visible media: only batches the dataset committed (`batches`), queried batch by batch in key
 * order so that the items of a batch still being processed are never read, let alone shown.
 */
export async function listMedia(
  context: MediaReadContext,
  query: MediaPageQuery,
): Promise<{ ok: true; page: MediaPage } | Refused> {
  if (query.batchId !== undefined && !BATCH_ID.test(query.batchId)) {
    return refuse({ reason: 'invalid_input', detail: messages.invalidBatchId });
  }
  if (query.clusterId !== undefined && !CLUSTER_ID.test(query.clusterId)) {
    return refuse({ reason: 'invalid_input', detail: messages.invalidClusterId });
  }
  const dataset = readableDataset(
    await getDataset(context.dynamo, context.config.tableName, query.datasetId),
    query.caller,
  );
  if (!dataset) return refuse({ reason: 'not_found' });

  const committed = [...dataset.batches].sort();
  let batches = query.batchId === undefined ? committed : committed.filter((batch) => batch === query.batchId);
  const partition = mediaPartition(dataset.id);
  const filter = query.clusterId === undefined ? undefined : clusterFilter(dataset, query.clusterId);
  let startKey: TableKey | undefined;
  if (query.cursor !== undefined) {
    startKey = decodeCursor(query.cursor, (key) => key.pk === partition && batches.includes(batchOfSortKey(key.sk)));
    if (!startKey) return refuse({ reason: 'invalid_input', detail: messages.invalidCursor });
    batches = batches.slice(batches.indexOf(batchOfSortKey(startKey.sk)));
  }

  const items: MediaRecord[] = [];
  for (const [index, batch] of batches.entries()) {
    let exclusiveStartKey = index === 0 ? startKey : undefined;
    do {
      const result = await queryBatch(
        context.dynamo,
        context.config.tableName,
        partition,
        batch,
        query.limit - items.length,
        exclusiveStartKey,
        filter,
      );
      items.push(...result.items);
      exclusiveStartKey = result.lastKey;
      if (items.length >= query.limit) {
        const more = exclusiveStartKey !== undefined || index < batches.length - 1;
        const last = items[items.length - 1]!;
        return {
          ok: true,
          page: {
            items: await mediaViews(context, items, dataset),
            next_cursor: more ? encodeCursor(last) : null,
          },
        };
      }
    } while (exclusiveStartKey);
  }
  return { ok: true, page: { items: await mediaViews(context, items, dataset), next_cursor: null } };
}

const batchOfSortKey = (sortKey: string): string => sortKey.slice(0, Math.max(0, sortKey.indexOf('#')));

async function queryBatch(
  client: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  batch: string,
  limit: number,
  exclusiveStartKey: TableKey | undefined,
  filter: MediaFilter | undefined,
): Promise<{ items: MediaRecord[]; lastKey: TableKey | undefined }> {
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :batch)',
      FilterExpression: filter?.expression,
      ExpressionAttributeValues: { ':pk': partition, ':batch': `${batch}#`, ...filter?.values },
      ExclusiveStartKey: exclusiveStartKey,
      Limit: limit,
    }),
  );
  return {
    items: (result.Items ?? []) as MediaRecord[],
    lastKey: result.LastEvaluatedKey ? tableKeyOf(result.LastEvaluatedKey) : undefined,
  };
}

/** Every media item shown in `clusterId` (see clusterFilter), over the dataset's committed batches. */
export async function clusterMembers(
  context: ReadContext,
  dataset: DatasetRecord,
  clusterId: string,
): Promise<MediaRecord[]> {
  const filter = clusterFilter(dataset, clusterId);
  const partition = mediaPartition(dataset.id);
  const members: MediaRecord[] = [];
  for (const batch of [...dataset.batches].sort()) {
    let startKey: TableKey | undefined;
    do {
      const page = await queryBatch(context.dynamo, context.config.tableName, partition, batch, 1000, startKey, filter);
      members.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
  }
  return members;
}

interface MediaFilter {
  readonly expression: string;
  readonly values: Record<string, string>;
}

/**
 * The media `visibleClusterId` places in `clusterId`, as a filter: the assignment under the committed clustering, or
 * the previous assignment of an item whose current one belongs to a clustering not (yet) committed. The filter runs
 * over every media item of the dataset: fine for the datasets a page of members is asked of, linear in their size.
 */
function clusterFilter(dataset: DatasetRecord, clusterId: string): MediaFilter {
  return {
    expression:
      '(clustering_id = :committed AND cluster_id = :cluster) OR ' +
      '((attribute_not_exists(clustering_id) OR clustering_id <> :committed) AND ' +
      'prev_clustering_id = :committed AND prev_cluster_id = :cluster)',
    values: { ':committed': dataset.clustering_id ?? INITIAL_CLUSTERING_ID, ':cluster': clusterId },
  };
}

/** The cluster shown follows docs/data-model.md: the assignment under the dataset's committed clustering, else the previous one. */
function visibleClusterId(media: MediaRecord, dataset: DatasetRecord): string | null {
  const committed = dataset.clustering_id ?? INITIAL_CLUSTERING_ID;
  if (media.clustering_id === committed) return media.cluster_id ?? null;
  if (media.prev_clustering_id === committed) return media.prev_cluster_id ?? null;
  return null;
}

/** The items as the API shows them, each with its links. */
export const mediaViews = (
  context: MediaReadContext,
  items: readonly MediaRecord[],
  dataset: DatasetRecord,
): Promise<MediaView[]> =>
  Promise.all(items.map(async (item) => ({ ...toMediaView(item, dataset), ...(await context.mediaLinks(item)) })));

function toMediaView(media: MediaRecord, dataset: DatasetRecord): Omit<MediaView, keyof MediaLinkView> {
  return {
    media_id: media.media_id,
    type: media.type,
    source_uri: media.source_uri,
    batch_id: media.batch_id,
    cluster_id: visibleClusterId(media, dataset),
    added_at: media.added_at,
    ...(media.type === 'video' && media.frame_count !== undefined ? { frame_count: media.frame_count } : {}),
  };
}
