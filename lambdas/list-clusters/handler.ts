import { listClusters } from '../../core/operations/list-clusters';
import { type ReadContext, readContextFromEnv } from '../../core/operations/read-context';
import type { ApiHandler } from '../http/api-handler';
import { datasetPageHandler } from '../http/dataset-page-handler';

/** GET /api/v1/dataset/{dataset_id}/clusters?cursor=&limit= (API.md extension). */
export function createListClustersHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return datasetPageHandler(contextOf, 'list-clusters', listClusters);
}

export const handler = createListClustersHandler();
