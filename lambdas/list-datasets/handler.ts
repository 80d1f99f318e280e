import { apiHandler, type ApiHandler } from '../shared/http/api-handler';
import { jsonResponse } from '../shared/http/responses';
import { readContextFromEnv, type ReadContext } from '../shared/operations/read-context';
import { listDatasets } from '../shared/operations/read-datasets';

/** GET /api/v1/datasets (API.md): a JSON array of every dataset the caller can read. */
export function createListDatasetsHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return apiHandler(contextOf, async ({ caller, context }) => jsonResponse(200, await listDatasets(context, caller.sub)));
}

export const handler = createListDatasetsHandler();
