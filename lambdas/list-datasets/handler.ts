import { parseLimit } from '../../core/operations/paging';
import { type ReadContext, readContextFromEnv } from '../../core/operations/read-context';
import { listDatasets, listDatasetsPage } from '../../core/operations/read-datasets';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { queryParameter } from '../http/event-input';
import { refusedResponse } from '../http/outcome-response';
import { errorResponse, jsonResponse } from '../http/responses';

/**
 * GET /api/v1/datasets (API.md): a JSON array of every dataset the caller can read. (extension) With `limit` or `cursor`
 * it answers one page, `{"items", "next_cursor"}`, like the other listings.
 */
export function createListDatasetsHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const limitParameter = queryParameter(event, 'limit');
      const cursor = queryParameter(event, 'cursor');
      if (limitParameter === undefined && cursor === undefined)
        return jsonResponse(200, await listDatasets(context, caller.sub));
      const limit = parseLimit(limitParameter);
      if (!limit.ok) return errorResponse(400, limit.detail);
      const result = await listDatasetsPage(context, caller.sub, { limit: limit.limit, cursor });
      return result.ok ? jsonResponse(200, result.page) : refusedResponse(result);
    },
    queryParametersOf('list-datasets'),
  );
}

export const handler = createListDatasetsHandler();
