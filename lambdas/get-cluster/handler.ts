import { type MediaReadContext, mediaReadContextFromEnv } from '../../core/operations/media-read-context';
import { refuse } from '../../core/operations/operation-result';
import { parseLimit } from '../../core/operations/paging';
import { readCluster } from '../../core/operations/read-cluster';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { datasetIdOf, queryParameter } from '../http/event-input';
import { refusedResponse } from '../http/outcome-response';
import { errorResponse, jsonResponse } from '../http/responses';

/** GET /api/v1/dataset/{dataset_id}/clusters/{cluster_id}?cursor=&limit= (docs/API.md): the cluster and its members. */
export function createGetClusterHandler(contextOf: () => MediaReadContext = mediaReadContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const limit = parseLimit(queryParameter(event, 'limit'));
      if (!limit.ok) return errorResponse(400, limit.detail);
      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const result = await readCluster(context, {
        datasetId,
        caller: caller.sub,
        clusterId: event.pathParameters?.cluster_id ?? '',
        cursor: queryParameter(event, 'cursor'),
        limit: limit.limit,
      });
      return result.ok ? jsonResponse(200, result.page) : refusedResponse(result);
    },
    queryParametersOf('get-cluster'),
  );
}

export const handler = createGetClusterHandler();
