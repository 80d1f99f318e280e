import { refuse } from '../../core/operations/operation-result';
import { parseLimit } from '../../core/operations/paging';
import { type ReadContext, readContextFromEnv } from '../../core/operations/read-context';
import { listOperations } from '../../core/operations/read-operations';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { datasetIdOf, queryParameter } from '../http/event-input';
import { refusedResponse } from '../http/outcome-response';
import { errorResponse, jsonResponse } from '../http/responses';

/** GET /api/v1/dataset/{dataset_id}/operations?cursor=&limit= (docs/API.md): the dataset's operations, newest first. */
export function createListOperationsHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const limit = parseLimit(queryParameter(event, 'limit'));
      if (!limit.ok) return errorResponse(400, limit.detail);
      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const result = await listOperations(context, {
        datasetId,
        caller: caller.sub,
        cursor: queryParameter(event, 'cursor'),
        limit: limit.limit,
      });
      return result.ok ? jsonResponse(200, result.page) : refusedResponse(result);
    },
    queryParametersOf('list-operations'),
  );
}

export const handler = createListOperationsHandler();
