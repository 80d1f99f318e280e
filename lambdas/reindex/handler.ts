import { apiContextFromEnv, type OperationContext } from '../../core/operations/operation-context';
import { refuse } from '../../core/operations/operation-result';
import { requestReindex } from '../../core/operations/request-reindex';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { datasetIdOf } from '../http/event-input';
import { outcomeResponse, refusedResponse } from '../http/outcome-response';
import { errorResponse } from '../http/responses';
import { fingerprint, readIdempotencyKey, runIdempotently } from '../requests/idempotent-request';

const ROUTE = 'reindex';

/** POST /api/v1/dataset/{dataset_id}/reindex (API.md): no body, 202 with an empty body out. */
export function createReindexHandler(contextOf: () => OperationContext = apiContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context, now }) => {
      const idempotencyKey = readIdempotencyKey(event);
      if (!idempotencyKey.ok) return errorResponse(400, idempotencyKey.detail);
      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const scope = idempotencyKey.key
        ? { sub: caller.sub, key: idempotencyKey.key, datasetId, route: ROUTE, fingerprint: fingerprint([ROUTE]) }
        : undefined;
      const outcome = await runIdempotently(context, scope, now, () =>
        requestReindex(context, { datasetId, caller: caller.sub, useSpot: null, now }),
      );
      return outcomeResponse(outcome);
    },
    queryParametersOf('reindex'),
  );
}

export const handler = createReindexHandler();
