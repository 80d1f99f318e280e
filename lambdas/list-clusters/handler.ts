import { listClusters } from '../../core/operations/list-clusters';
import { refuse } from '../../core/operations/operation-result';
import { parseLimit } from '../../core/operations/paging';
import { type ReadContext, readContextFromEnv } from '../../core/operations/read-context';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { datasetIdOf, queryParameter } from '../http/event-input';
import { refusedResponse } from '../http/outcome-response';
import { errorResponse, jsonResponse } from '../http/responses';

/** GET /api/v1/dataset/{dataset_id}/clusters?cursor=&limit= (API.md extension). */
export function createListClustersHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const limit = parseLimit(queryParameter(event, 'limit'));
      if (!limit.ok) return errorResponse(400, limit.detail);
      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const result = await listClusters(context, {
        datasetId,
        caller: caller.sub,
        cursor: queryParameter(event, 'cursor'),
        limit: limit.limit,
      });
      return result.ok ? jsonResponse(200, result.page) : refusedResponse(result);
    },
    queryParametersOf('list-clusters'),
  );
}

export const handler = createListClustersHandler();
