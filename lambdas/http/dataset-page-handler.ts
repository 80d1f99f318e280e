import type { APIGatewayProxyEvent } from 'aws-lambda';
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
 * A `GET /dataset/{dataset_id}/…?cursor=&limit=` route: limit checked (400), dataset id from the path, then the
 * listing's page (200) or its refusal. `list` reads any parameter of its own (a filter, a path id) from the event.
 */
export function datasetPageHandler<C extends ReadContext>(
  contextOf: () => C,
  route: string,
  list: (
    context: C,
    query: DatasetPageQuery,
    event: APIGatewayProxyEvent,
  ) => Promise<{ ok: true; page: unknown } | Refused>,
): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const limit = parseLimit(queryParameter(event, 'limit'));
      if (!limit.ok) return errorResponse(400, limit.detail);
      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const result = await list(
        context,
        { datasetId, caller: caller.sub, cursor: queryParameter(event, 'cursor'), limit: limit.limit },
        event,
      );
      return result.ok ? jsonResponse(200, result.page) : refusedResponse(result);
    },
    queryParametersOf(route),
  );
}
