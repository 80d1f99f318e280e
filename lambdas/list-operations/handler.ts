import { type ReadContext, readContextFromEnv } from '../../core/operations/read-context';
import { listOperations } from '../../core/operations/read-operations';
import type { ApiHandler } from '../http/api-handler';
import { datasetPageHandler } from '../http/dataset-page-handler';

/** GET /api/v1/dataset/{dataset_id}/operations?cursor=&limit= (docs/API.md): the dataset's operations, newest first. */
export function createListOperationsHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return datasetPageHandler(contextOf, 'list-operations', listOperations);
}

export const handler = createListOperationsHandler();
