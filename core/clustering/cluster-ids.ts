/**
 * Cluster ids (the sort key of cluster items). A full clustering numbers its clusters by decreasing size, so ids sort by
 * importance; an incremental batch names its new clusters after itself so they can be found (and removed) by batch.
 */
export const fullClusterId = (clusterNumber: number): string => `c${String(clusterNumber).padStart(8, '0')}`;

export const partialClusterPrefix = (batchId: string): string => `p-${batchId}-`;

export const partialClusterId = (batchId: string, clusterNumber: number): string =>
  `${partialClusterPrefix(batchId)}${String(clusterNumber).padStart(6, '0')}`;
