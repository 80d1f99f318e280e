import { refuse } from '../../core/operations/operation-result';
import { type ReadContext, readContextFromEnv } from '../../core/operations/read-context';
import { readOperation } from '../../core/operations/read-operations';
import { queryParametersOf } from '../../core/routes';
import { type ApiHandler, apiHandler } from '../http/api-handler';
import { datasetIdOf } from '../http/event-input';
import { refusedResponse } from '../http/outcome-response';
import { jsonResponse } from '../http/responses';

/** GET /api/v1/dataset/{dataset_id}/operations/{operation_id} (docs/API.md): type, status, phase, progress, counts. */
export function createGetOperationHandler(contextOf: () => ReadContext = readContextFromEnv): ApiHandler {
  return apiHandler(
    contextOf,
    async ({ event, caller, context }) => {
      const datasetId = datasetIdOf(event);
      if (!datasetId) return refusedResponse(refuse({ reason: 'not_found' }));
      const result = await readOperation(context, {
        datasetId,
        caller: caller.sub,
        operationId: event.pathParameters?.operation_id ?? '',
      });
      return result.ok ? jsonResponse(200, result.operation) : refusedResponse(result);
    },
    queryParametersOf('get-operation'),
  );
}

export const handler = createGetOperationHandler();
