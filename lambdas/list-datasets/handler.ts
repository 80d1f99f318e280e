import { type ReadContext, readContextFromEnv } from '../../core/operations/read-context';
import { listDatasets } from '../../core/operations/read-datasets';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { jsonResponse } from '../http/responses';

/** GET /api/v1/datasets (API.md): a JSON array of every dataset the caller can read. */
export function createListDatasetsHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ caller, context }) => jsonResponse(200, await listDatasets(context, caller.sub)),
    queryParametersOf('list-datasets'),
  );
}

export const handler = createListDatasetsHandler();
