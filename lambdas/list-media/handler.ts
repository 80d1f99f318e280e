import { listMedia } from '../../core/operations/list-media';
import { type MediaReadContext, mediaReadContextFromEnv } from '../../core/operations/media-read-context';
import { refuse } from '../../core/operations/operation-result';
import { parseLimit } from '../../core/operations/paging';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { datasetIdOf, queryParameter } from '../http/event-input';
import { refusedResponse } from '../http/outcome-response';
import { errorResponse, jsonResponse } from '../http/responses';

/** GET /api/v1/dataset/{dataset_id}/media?batch_id=&cluster_id=&cursor=&limit= (API.md extension). */
export function createListMediaHandler(contextOf: () => MediaReadContext = mediaReadContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const limit = parseLimit(queryParameter(event, 'limit'));
      if (!limit.ok) return errorResponse(400, limit.detail);
      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const result = await listMedia(context, {
        datasetId,
        caller: caller.sub,
        batchId: queryParameter(event, 'batch_id'),
        clusterId: queryParameter(event, 'cluster_id'),
        cursor: queryParameter(event, 'cursor'),
        limit: limit.limit,
      });
      return result.ok ? jsonResponse(200, result.page) : refusedResponse(result);
    },
    queryParametersOf('list-media'),
  );
}

export const handler = createListMediaHandler();
