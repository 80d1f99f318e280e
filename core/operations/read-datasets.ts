import type { DatasetPage } from '../api-schema/response-bodies';
import { type DatasetView, toDatasetView } from '../datasets/dataset-record';
import { getDataset, listReadableDatasets } from '../datasets/dataset-repository';
import * as messages from './api-messages';
import { decodeDatasetCursor, encodeDatasetCursor } from './dataset-cursor';
import { readableDataset } from './dataset-guards';
import { type Refused, refuse } from './operation-result';
import type { ReadContext } from './read-context';

/** GET /api/v1/dataset/{id}: the view, or undefined when missing or not readable (both answer 404). */
export async function readDataset(
  context: ReadContext,
  datasetId: string,
  caller: string,
): Promise<DatasetView | undefined> {
  const dataset = readableDataset(await getDataset(context.dynamo, context.config.tableName, datasetId), caller);
  return dataset ? toDatasetView(dataset) : undefined;
}

/** Index items read per query while collecting a caller's datasets: small reads let other requests in between. */
const INDEX_PAGE = 100;

/** GET /api/v1/datasets: every dataset the caller can read, oldest first (API.md answers a plain array, not a page). */
export async function listDatasets(context: ReadContext, caller: string): Promise<DatasetView[]> {
  const views: DatasetView[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await listReadableDatasets(context.dynamo, context.config.tableName, caller, {
      limit: INDEX_PAGE,
      startKey,
    });
    views.push(...page.items.map(toDatasetView));
    startKey = page.lastKey;
  } while (startKey);
  return views;
}

/**
 * GET /api/v1/datasets?limit=&cursor= (extension): one page of the same listing, `{items, next_cursor}` like every paged
 * endpoint, so a client never has to take every dataset at once.
 */
export async function listDatasetsPage(
  context: ReadContext,
  caller: string,
  query: { readonly limit: number; readonly cursor: string | undefined },
): Promise<{ ok: true; page: DatasetPage } | Refused> {
  let startKey: Record<string, unknown> | undefined;
  if (query.cursor !== undefined) {
    startKey = decodeDatasetCursor(query.cursor) as Record<string, unknown> | undefined;
    if (!startKey) return refuse({ reason: 'invalid_input', detail: messages.invalidCursor });
  }
  const page = await listReadableDatasets(context.dynamo, context.config.tableName, caller, {
    limit: query.limit,
    startKey,
  });
  return {
    ok: true,
    page: {
      items: page.items.map(toDatasetView),
      next_cursor: page.lastKey ? encodeDatasetCursor(page.lastKey) : null,
    },
  };
}
