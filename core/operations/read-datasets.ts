import { type DatasetView, toDatasetView } from '../datasets/dataset-record';
import { getDataset, listReadableDatasets } from '../datasets/dataset-repository';
import { readableDataset } from './dataset-guards';
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

/** Index pages read per request while collecting a caller's datasets. */
const INDEX_PAGE = 1000;

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
