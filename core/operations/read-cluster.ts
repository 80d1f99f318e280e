import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CLUSTER_ID } from '../api-schema/identifiers';
import type { ClusterDetail } from '../api-schema/response-bodies';
import { getDataset } from '../datasets/dataset-repository';
import type { MediaRecord } from '../datasets/media-record';
import { clusterKey, INITIAL_CLUSTERING_ID, mediaPartition } from '../store/table-schema';
import * as messages from './api-messages';
import { decodeCursor, encodeCursor } from './cursor';
import { readableDataset } from './dataset-guards';
import { type ClusterRecord, isVisibleCluster, toClusterView } from './list-clusters';
import { clusterMembers, mediaViews } from './list-media';
import type { MediaReadContext } from './media-read-context';
import { type Refused, refuse } from './operation-result';

export interface ClusterQuery {
  readonly datasetId: string;
  readonly caller: string;
  readonly clusterId: string;
  readonly cursor: string | undefined;
  readonly limit: number;
}

/**
 * A cluster of the committed clustering and one page of its members, most representative first: the representative,
 * then by outlier score (the least unusual first; unscored last), then by media id. The cursor names the last member
 * shown, so a member that moved out of the cluster between two pages makes the cursor invalid rather than skip one.
 */
export async function readCluster(
  context: MediaReadContext,
  query: ClusterQuery,
): Promise<{ ok: true; page: ClusterDetail } | Refused> {
  const dataset = readableDataset(
    await getDataset(context.dynamo, context.config.tableName, query.datasetId),
    query.caller,
  );
  if (!dataset) return refuse({ reason: 'not_found' });
  const missing = refuse({ reason: 'missing_item', detail: messages.CLUSTER_NOT_FOUND });
  if (!CLUSTER_ID.test(query.clusterId)) return missing;
  const clusteringId = dataset.clustering_id ?? INITIAL_CLUSTERING_ID;
  const stored = await context.dynamo.send(
    new GetCommand({ TableName: context.config.tableName, Key: clusterKey(dataset.id, clusteringId, query.clusterId) }),
  );
  const cluster = stored.Item as ClusterRecord | undefined;
  if (!cluster || !isVisibleCluster(cluster, new Set(dataset.batches))) return missing;

  const members = (await clusterMembers(context, dataset, query.clusterId)).sort(byRepresentativeness(cluster));
  let start = 0;
  if (query.cursor !== undefined) {
    const partition = mediaPartition(dataset.id);
    const after = decodeCursor(query.cursor, (key) => key.pk === partition);
    const index = after ? members.findIndex((member) => member.sk === after.sk) : -1;
    if (index < 0) return refuse({ reason: 'invalid_input', detail: messages.invalidCursor });
    start = index + 1;
  }
  const shown = members.slice(start, start + query.limit);
  const more = start + shown.length < members.length;
  return {
    ok: true,
    page: {
      cluster: { ...toClusterView(cluster), clustering_id: clusteringId },
      items: await mediaViews(context, shown, dataset),
      next_cursor: more ? encodeCursor(shown.at(-1)!) : null,
    },
  };
}

const byRepresentativeness =
  (cluster: ClusterRecord) =>
  (a: MediaRecord, b: MediaRecord): number =>
    Number(b.media_id === cluster.representative) - Number(a.media_id === cluster.representative) ||
    (a.outlier_score ?? Number.POSITIVE_INFINITY) - (b.outlier_score ?? Number.POSITIVE_INFINITY) ||
    a.media_id.localeCompare(b.media_id);
