import { createDataset } from '../../core/operations/create-dataset';
import { apiContextFromEnv, type OperationContext } from '../../core/operations/operation-context';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { outcomeResponse } from '../http/outcome-response';
import { errorResponse } from '../http/responses';
import { readCreateDatasetBody } from '../requests/create-dataset-body';
import { readIdempotencyKey, runIdempotently } from '../requests/idempotent-request';

const ROUTE = 'create_dataset';
/** Idempotency records are per dataset; a create has none yet. */
const NO_DATASET = '-';

/** POST /api/v1/datasets (API.md extension): 202 `{"id"}`, with its initial index started when media were given. */
export function createCreateDatasetHandler(contextOf: () => OperationContext = apiContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context, now }) => {
      const idempotencyKey = readIdempotencyKey(event);
      if (!idempotencyKey.ok) return errorResponse(400, idempotencyKey.detail);
      const body = await readCreateDatasetBody(event, context.config.maxUploadBytes);
      if (!body.ok) return errorResponse(body.statusCode, body.detail);
      const { request } = body;
      const scope = idempotencyKey.key
        ? {
            sub: caller.sub,
            key: idempotencyKey.key,
            datasetId: NO_DATASET,
            route: ROUTE,
            fingerprint: request.fingerprint,
          }
        : undefined;
      const outcome = await runIdempotently(context, scope, now, () =>
        createDataset(context, {
          caller: caller.sub,
          displayName: request.displayName,
          similarityThreshold: request.similarityThreshold,
          source: request.source,
          options: request.options,
          now,
        }),
      );
      return outcomeResponse(outcome, 'id');
    },
    queryParametersOf('create-dataset'),
  );
}

export const handler = createCreateDatasetHandler();
