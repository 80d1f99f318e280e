import { listMedia } from '../../core/operations/list-media';
import { type MediaReadContext, mediaReadContextFromEnv } from '../../core/operations/media-read-context';
import type { ApiHandler } from '../http/api-handler';
import { datasetPageHandler } from '../http/dataset-page-handler';
import { queryParameter } from '../http/event-input';

/** GET /api/v1/dataset/{dataset_id}/media?batch_id=&cluster_id=&cursor=&limit= (API.md extension). */
export function createListMediaHandler(contextOf: () => MediaReadContext = mediaReadContextFromEnv): ApiHandler {
  return datasetPageHandler(contextOf, 'list-media', (context, query, event) =>
    listMedia(context, {
      ...query,
      batchId: queryParameter(event, 'batch_id'),
      clusterId: queryParameter(event, 'cluster_id'),
    }),
  );
}

export const handler = createListMediaHandler();
