import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ClusterPage, ClusterView } from '../api-schema/response-bodies';
import { getDataset } from '../datasets/dataset-repository';
import { clusterPartition, INITIAL_CLUSTERING_ID } from '../store/table-schema';
import * as messages from './api-messages';
import { decodeCursor, encodeCursor, type TableKey, tableKeyOf } from './cursor';
import { readableDataset } from './dataset-guards';
import { type Refused, refuse } from './operation-result';
import type { ReadContext } from './read-context';

export interface ClusterRecord {
  readonly cluster_id: string;
  readonly size: number;
  readonly representative: string;
  readonly partial?: boolean;
  /** The batch that created a partial cluster. */
  readonly batch_id?: string;
}

/**
 * A cluster (`partial`: made by incremental assignment of new media since the last full clustering), and a page of them
 * with the committed clustering they belong to (`initial` before the first full clustering) and its state (`full` right
 * after a full clustering, `partial` once media were added incrementally since).
 */
export type { ClusterPage, ClusterView };

export interface ClusterPageQuery {
  readonly datasetId: string;
  readonly caller: string;
  readonly cursor: string | undefined;
  readonly limit: number;
}

/**
 * One page of the clusters of the dataset's committed clustering (docs/data-model.md), partial ones included. A cursor
 * of another clustering (a reindex committed between two pages) no longer continues this listing and is refused.
 */
export async function listClusters(
  context: ReadContext,
  query: ClusterPageQuery,
): Promise<{ ok: true; page: ClusterPage } | Refused> {
  const dataset = readableDataset(
    await getDataset(context.dynamo, context.config.tableName, query.datasetId),
    query.caller,
  );
  if (!dataset) return refuse({ reason: 'not_found' });
  const clusteringId = dataset.clustering_id ?? INITIAL_CLUSTERING_ID;
  const partition = clusterPartition(dataset.id, clusteringId);
  let startKey: TableKey | undefined;
  if (query.cursor !== undefined) {
    startKey = decodeCursor(query.cursor, (key) => key.pk === partition);
    if (!startKey) return refuse({ reason: 'invalid_input', detail: messages.invalidCursor });
  }
  const result = await context.dynamo.send(
    new QueryCommand({
      TableName: context.config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ExclusiveStartKey: startKey,
      Limit: query.limit,
    }),
  );
  // A partial cluster made by a batch that is still running (or failed) is not visible, like that batch's media.
  const committed = new Set(dataset.batches);
  const items = ((result.Items ?? []) as ClusterRecord[])
    .filter((cluster) => isVisibleCluster(cluster, committed))
    .map(toClusterView);
  return {
    ok: true,
    page: {
      items,
      next_cursor: result.LastEvaluatedKey ? encodeCursor(tableKeyOf(result.LastEvaluatedKey)) : null,
      clustering_id: clusteringId,
      clustering_state: dataset.clustering_state ?? 'partial',
    },
  };
}

export const isVisibleCluster = (cluster: ClusterRecord, committedBatches: ReadonlySet<string>): boolean =>
  !cluster.partial || cluster.batch_id === undefined || committedBatches.has(cluster.batch_id);

export const toClusterView = (cluster: ClusterRecord): ClusterView => ({
  cluster_id: cluster.cluster_id,
  size: cluster.size,
  representative_media_id: cluster.representative,
  partial: cluster.partial === true,
});
