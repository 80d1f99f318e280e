import { apiHandler, type ApiHandler } from '../http/api-handler';
import { jsonResponse } from '../http/responses';
import { readContextFromEnv, type ReadContext } from '../../core/operations/read-context';
import { listDatasets } from '../../core/operations/read-datasets';

/** GET /api/v1/datasets (API.md): a JSON array of every dataset the caller can read. */
export function createListDatasetsHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return apiHandler(contextOf, async ({ caller, context }) => jsonResponse(200, await listDatasets(context, caller.sub)));
}

export const handler = createListDatasetsHandler();
