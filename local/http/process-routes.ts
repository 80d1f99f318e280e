import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createDataset } from '../../core/operations/create-dataset';
import { DEFAULT_MEDIA_OPTIONS } from '../../core/operations/media-source';
import { apiContextFromEnv, type OperationContext } from '../../core/operations/operation-context';
import { requestAddMedia } from '../../core/operations/request-add-media';
import { requestReindex } from '../../core/operations/request-reindex';
import { checkCsrf, csrfFailureDetail } from '../../lambdas/auth/csrf';
import { type ApiHandler, type ApiRequest, apiHandler } from '../../lambdas/http/api-handler';
import { queryParameter } from '../../lambdas/http/event-input';
import { outcomeResponse } from '../../lambdas/http/outcome-response';
import { errorResponse } from '../../lambdas/http/responses';
import { parseTextFields } from '../../lambdas/requests/form-fields';

/**
 * The on-premises pipeline routes (API.md "On-premises / local pipeline service"): query parameters, a local `path` as
 * the media source, the same domain functions, statuses and errors as the API routes, and the same credentials.
 *   GET /api/v1/process/add_media?dataset_id=&path=[&auto_reindex=true]
 *   GET /api/v1/process/reindex?dataset_id=
 *   GET /api/v1/process/create?name=&path=         (extension: a new dataset indexed from a local path; 202 {"id"})
 * (extension) POST is accepted too, with the same query parameters.
 */
export const PROCESS_ROUTES: readonly {
  readonly resource: string;
  readonly name: string;
  readonly handler: ApiHandler;
}[] = [
  {
    resource: '/api/v1/process/add_media',
    name: 'process-add-media',
    handler: processRoute(addMedia, ['dataset_id', 'path', 'auto_reindex']),
  },
  { resource: '/api/v1/process/reindex', name: 'process-reindex', handler: processRoute(reindex, ['dataset_id']) },
  { resource: '/api/v1/process/create', name: 'process-create', handler: processRoute(create, ['name', 'path']) },
];

const missing = (name: string) => errorResponse(400, `Query parameter '${name}' is required`);

async function addMedia({ event, caller, context, now }: ApiRequest<OperationContext>): Promise<APIGatewayProxyResult> {
  const datasetId = queryParameter(event, 'dataset_id');
  const path = queryParameter(event, 'path');
  if (!datasetId) return missing('dataset_id');
  if (!path) return missing('path');
  const fields = parseTextFields(presentFields(event, { auto_reindex: 'auto_reindex' }));
  if (!fields.ok) return errorResponse(400, fields.detail);
  const options = { ...DEFAULT_MEDIA_OPTIONS, autoReindex: fields.values.auto_reindex ?? false };
  return outcomeResponse(
    await requestAddMedia(context, {
      datasetId,
      caller: caller.sub,
      source: { kind: 'local_path', path },
      options,
      now,
    }),
  );
}

async function reindex({ event, caller, context, now }: ApiRequest<OperationContext>): Promise<APIGatewayProxyResult> {
  const datasetId = queryParameter(event, 'dataset_id');
  if (!datasetId) return missing('dataset_id');
  return outcomeResponse(await requestReindex(context, { datasetId, caller: caller.sub, useSpot: null, now }));
}

async function create({ event, caller, context, now }: ApiRequest<OperationContext>): Promise<APIGatewayProxyResult> {
  const path = queryParameter(event, 'path');
  if (!queryParameter(event, 'name')) return missing('name');
  if (!path) return missing('path');
  const fields = parseTextFields(presentFields(event, { name: 'display_name' }));
  if (!fields.ok) return errorResponse(400, fields.detail);
  const displayName = fields.values.display_name!;
  const outcome = await createDataset(context, {
    caller: caller.sub,
    displayName,
    source: { kind: 'local_path', path },
    options: DEFAULT_MEDIA_OPTIONS,
    now,
  });
  return outcomeResponse(outcome, 'id');
}

/** Query parameters that are present, under the form field names the shared parser knows. */
function presentFields(event: APIGatewayProxyEvent, names: Record<string, 'auto_reindex' | 'display_name'>) {
  const fields: Partial<Record<'auto_reindex' | 'display_name', string>> = {};
  for (const [query, field] of Object.entries(names)) {
    const value = queryParameter(event, query);
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}

/**
 * These GETs change state, so the CSRF rule for mutating requests applies to them whatever their method: a cookie
 * alone (an <img> on another site) must not start an operation.
 */
function processRoute(
  route: (request: ApiRequest<OperationContext>) => Promise<APIGatewayProxyResult>,
  queryParameters: readonly string[],
): ApiHandler {
  return apiHandler(
    apiContextFromEnv,
    async (request) => {
      const csrf = checkCsrf({
        method: 'POST',
        headers: request.event.headers,
        authMethod: request.caller.authMethod,
        allowedOrigins: request.context.config.allowedOrigins,
      });
      if (!csrf.ok) return errorResponse(403, csrfFailureDetail(csrf.reason));
      return route(request);
    },
    queryParameters,
  );
}
