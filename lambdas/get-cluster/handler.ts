import { type MediaReadContext, mediaReadContextFromEnv } from '../../core/operations/media-read-context';
import { readCluster } from '../../core/operations/read-cluster';
import type { ApiHandler } from '../http/api-handler';
import { datasetPageHandler } from '../http/dataset-page-handler';

/** GET /api/v1/dataset/{dataset_id}/clusters/{cluster_id}?cursor=&limit= (docs/API.md): the cluster and its members. */
export function createGetClusterHandler(contextOf: () => MediaReadContext = mediaReadContextFromEnv): ApiHandler {
  return datasetPageHandler(contextOf, 'get-cluster', (context, query, event) =>
    readCluster(context, { ...query, clusterId: event.pathParameters?.cluster_id ?? '' }),
  );
}

export const handler = createGetClusterHandler();
