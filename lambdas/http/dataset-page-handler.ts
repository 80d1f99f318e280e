import { type Refused, refuse } from '../../core/operations/operation-result';
import { parseLimit } from '../../core/operations/paging';
import type { ReadContext } from '../../core/operations/read-context';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from './api-handler';
import { datasetIdOf, queryParameter } from './event-input';
import { refusedResponse } from './outcome-response';
import { errorResponse, jsonResponse } from './responses';

/** What a paged listing of one dataset is asked: the dataset, the caller, and the page (`cursor`, `limit`). */
export interface DatasetPageQuery {
  readonly datasetId: string;
  readonly caller: string;
  readonly cursor: string | undefined;
  readonly limit: number;
}

/**
 * A `GET /dataset/{dataset_id}/…?cursor=&limit=` route that takes nothing else: limit checked (400), dataset id from
 * the path, then the listing's page (200) or its refusal.
 */
export function datasetPageHandler(
  contextOf: () => ReadContext,
  route: string,
  list: (context: ReadContext, query: DatasetPageQuery) => Promise<{ ok: true; page: unknown } | Refused>,
): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const limit = parseLimit(queryParameter(event, 'limit'));
      if (!limit.ok) return errorResponse(400, limit.detail);
      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const result = await list(context, {
        datasetId,
        caller: caller.sub,
        cursor: queryParameter(event, 'cursor'),
        limit: limit.limit,
      });
      return result.ok ? jsonResponse(200, result.page) : refusedResponse(result);
    },
    queryParametersOf(route),
  );
}
