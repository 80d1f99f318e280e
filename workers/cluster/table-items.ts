import type { MediaRecord } from '../../core/datasets/media-record';
import { clusterKey, mediaKey } from '../../core/store/table-schema';
import type { ShardRow } from '../embed/embed-entries';

/** A media item as the workers write it. */
export type MediaItem = MediaRecord;

export function newMediaItem(
  at: { datasetId: string; batchId: string; addedAt: string },
  row: ShardRow,
  assignment: { clusterId: string; clusteringId: string },
): MediaItem {
  return {
    ...mediaKey(at.datasetId, at.batchId, row.media_id),
    dataset_id: at.datasetId,
    media_id: row.media_id,
    type: row.type,
    source_uri: row.source_uri,
    ...(row.location ? { location: row.location } : {}),
    batch_id: at.batchId,
    added_at: at.addedAt,
    ...(row.frame_count !== undefined ? { frame_count: row.frame_count } : {}),
    ...(row.width !== undefined ? { width: row.width, height: row.height } : {}),
    cluster_id: assignment.clusterId,
    clustering_id: assignment.clusteringId,
  };
}

/**
 * The assignment a reader sees now under the committed clustering: the item's own when it was made under that
 * clustering (or its incremental `initial` stand-in), else the `prev_*` one that a full clustering which never got
 * committed left behind.
 */
export function visibleAssignment(
  item: MediaItem,
  committedClusteringId: string,
): { clusterId: string; clusteringId: string } {
  if (
    item.clustering_id !== committedClusteringId &&
    item.prev_clustering_id === committedClusteringId &&
    item.prev_cluster_id
  ) {
    return { clusterId: item.prev_cluster_id, clusteringId: item.prev_clustering_id };
  }
  return { clusterId: item.cluster_id, clusteringId: item.clustering_id };
}

/** A cluster item. `added_by_batch` records each incremental batch's size increment so it is applied once and can be undone. */
export function clusterItem(input: {
  datasetId: string;
  clusteringId: string;
  clusterId: string;
  size: number;
  representative: string;
  partial: boolean;
  batchId?: string;
}): Record<string, unknown> {
  return {
    ...clusterKey(input.datasetId, input.clusteringId, input.clusterId),
    dataset_id: input.datasetId,
    cluster_id: input.clusterId,
    clustering_id: input.clusteringId,
    size: input.size,
    representative: input.representative,
    partial: input.partial,
    ...(input.batchId ? { batch_id: input.batchId } : {}),
    added_by_batch: {},
  };
}
