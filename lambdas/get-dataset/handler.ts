import { DATASET_NOT_FOUND } from '../../core/operations/api-messages';
import { type ReadContext, readContextFromEnv } from '../../core/operations/read-context';
import { readDataset } from '../../core/operations/read-datasets';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { datasetIdOf } from '../http/event-input';
import { errorResponse, jsonResponse } from '../http/responses';

/** GET /api/v1/dataset/{dataset_id} (API.md): the dataset's view; 404 when missing or not readable. */
export function createGetDatasetHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const datasetId = datasetIdOf(event);
      const view = datasetId ? await readDataset(context, datasetId, caller.sub) : undefined;
      return view ? jsonResponse(200, view) : errorResponse(404, DATASET_NOT_FOUND);
    },
    queryParametersOf('get-dataset'),
  );
}

export const handler = createGetDatasetHandler();
