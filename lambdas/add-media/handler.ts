import { apiContextFromEnv, type OperationContext } from '../../core/operations/operation-context';
import { refuse } from '../../core/operations/operation-result';
import { requestAddMedia } from '../../core/operations/request-add-media';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { datasetIdOf } from '../http/event-input';
import { outcomeResponse, refusedResponse } from '../http/outcome-response';
import { errorResponse } from '../http/responses';
import { formFingerprint, readIdempotencyKey, runIdempotently } from '../requests/idempotent-request';
import { readMediaForm } from '../requests/media-form';
import { readMultipartBody } from '../requests/multipart-body';

const ROUTE = 'add_media';

/** POST /api/v1/dataset/{dataset_id}/add_media (API.md): multipart form in, 202 with an empty body out. */
export function createAddMediaHandler(contextOf: () => OperationContext = apiContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context, now }) => {
      if (!context.config.addMediaEnabled) return refusedResponse(refuse({ reason: 'feature_disabled' }));
      const idempotencyKey = readIdempotencyKey(event);
      if (!idempotencyKey.ok) return errorResponse(400, idempotencyKey.detail);
      const form = await readMultipartBody(event, context.config.maxUploadBytes);
      if (!form.ok) return errorResponse(form.statusCode, form.detail);
      const request = await readMediaForm(form.parts, 'add_media');
      if (!request.ok) return errorResponse(400, request.detail);

      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const scope = idempotencyKey.key
        ? {
            sub: caller.sub,
            key: idempotencyKey.key,
            datasetId,
            route: ROUTE,
            fingerprint: formFingerprint(ROUTE, form.parts),
          }
        : undefined;
      const outcome = await runIdempotently(context, scope, now, () =>
        requestAddMedia(context, {
          datasetId,
          caller: caller.sub,
          source: request.source!,
          options: request.options,
          now,
        }),
      );
      return outcomeResponse(outcome);
    },
    queryParametersOf('add-media'),
  );
}

export const handler = createAddMediaHandler();
