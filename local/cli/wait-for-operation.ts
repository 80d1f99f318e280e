import type { DatasetView } from '../../core/datasets/dataset-record';
import type { ApiClient } from './api-client';
import type { ProgressBar } from './progress';

export type OperationEnd =
  | { readonly ok: true; readonly dataset: DatasetView }
  | { readonly ok: false; readonly dataset: DatasetView; readonly error: string };

/**
 * Polls the dataset until operation `operationId` no longer holds it, then reports how it ended (its `last_operation`).
 * With auto_reindex the add-media operation keeps the lock through the clustering, so this waits for READY.
 */
export async function waitForOperation(
  client: ApiClient,
  datasetId: string,
  operationId: string,
  progress: ProgressBar,
  pollMs: number,
): Promise<OperationEnd> {
  for (;;) {
    const dataset = await client.dataset(datasetId);
    progress.update(dataset);
    const last = dataset.last_operation;
    const holding = dataset.active_task?.operation_id === operationId;
    if (!holding && last?.operation_id === operationId && last.status !== 'RUNNING') {
      progress.done();
      return last.status === 'SUCCEEDED'
        ? { ok: true, dataset }
        : { ok: false, dataset, error: last.error ?? dataset.error ?? 'the operation failed' };
    }
    if (!holding && last?.operation_id !== operationId) {
      progress.done();
      return {
        ok: false,
        dataset,
        error: `operation ${operationId} no longer shows on the dataset (another operation replaced it)`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
