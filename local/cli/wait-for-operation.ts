import type { OperationView } from '../../core/datasets/operation-view';
import type { ApiClient } from './api-client';
import type { ProgressBar } from './progress';

/** Polls the operation's own resource (the 202's Operation-Location) until it ends, drawing its phase and progress. */
export async function waitForOperation(
  client: ApiClient,
  operationPath: string,
  progress: ProgressBar,
  pollMs: number,
): Promise<OperationView> {
  for (;;) {
    const operation = await client.operation(operationPath);
    progress.update(operation);
    if (operation.status !== 'RUNNING') {
      progress.done();
      return operation;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
