import { resolve } from 'node:path';
import type { DatasetView } from '../core/datasets/dataset-record';
import type { OperationView } from '../core/datasets/operation-view';
import { type Accepted, ApiClient, ApiError } from './cli/api-client';
import { type CliCommand, parseCliArgs, USAGE, UsageError } from './cli/args';
import { ProgressBar } from './cli/progress';
import { waitForOperation } from './cli/wait-for-operation';
import { devTokenOptions, mintDevToken } from './token';

/** The CLI behind run_profiler.sh (API.md "On-premises"): starts an operation on the local service and waits for its end. */
const POLL_MS = 1000;

async function main(args: readonly string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (command.operation === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const token = process.env.VL_TOKEN?.trim() || (await mintToken(process.env));
  const client = new ApiClient(process.env.VL_BASE_URL?.trim() || 'http://localhost:2080', token);
  try {
    return await run(client, command);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    process.stderr.write(`Error: ${error.detail}${error.status ? ` (HTTP ${error.status})` : ''}\n`);
    return 1;
  }
}

async function run(client: ApiClient, command: Exclude<CliCommand, { operation: 'help' }>): Promise<number> {
  switch (command.operation) {
    case 'status': {
      process.stdout.write(`${JSON.stringify(await client.dataset(command.datasetId), null, 2)}\n`);
      return 0;
    }
    case 'add_media': {
      const query = {
        dataset_id: command.datasetId,
        path: resolve(command.path),
        ...(command.autoReindex ? { auto_reindex: 'true' } : {}),
      };
      return follow(client, command.datasetId, await client.process('add_media', query));
    }
    case 'reindex': {
      return follow(client, command.datasetId, await client.process('reindex', { dataset_id: command.datasetId }));
    }
    case 'create': {
      const accepted = await client.process('create', { name: command.name, path: resolve(command.path) });
      const { id } = JSON.parse(accepted.body) as { id: string };
      process.stdout.write(`${id}\n`);
      return follow(client, id, accepted);
    }
  }
}

async function follow(client: ApiClient, datasetId: string, accepted: Accepted): Promise<number> {
  if (!accepted.operationId || !accepted.operationPath)
    throw new ApiError(0, 'the service did not name the operation it started (no Operation-Location header)');
  process.stderr.write(`operation ${accepted.operationId} on dataset ${datasetId}\n`);
  const end = await waitForOperation(client, accepted.operationPath, new ProgressBar(), POLL_MS);
  process.stderr.write(`${summary(await client.dataset(datasetId), end)}\n`);
  for (const skipped of end.skipped) process.stderr.write(`  skipped ${skipped.name}: ${skipped.reason}\n`);
  if (end.status === 'SUCCEEDED') return 0;
  process.stderr.write(`Error: ${end.error ?? 'the operation failed'}\n`);
  return 1;
}

/**
 * Without VL_TOKEN: the token `npm run token` prints, for VL_SUB (default: the local user, the subject of the banner's
 * token), signed with AUTH_JWT_SECRET (else the development secret) / AUTH_ISSUER / AUTH_AUDIENCE, as the service checks.
 */
function mintToken(env: NodeJS.ProcessEnv): Promise<string> {
  const sub = env.VL_SUB?.trim();
  return mintDevToken(devTokenOptions(sub ? ['--sub', sub] : [], env));
}

function summary(dataset: DatasetView, operation: OperationView): string {
  const added = operation.n_added !== null ? `, ${operation.n_added} added` : '';
  const skipped = operation.n_skipped ? `, ${operation.n_skipped} skipped` : '';
  return `${dataset.display_name}: ${dataset.status_new}, ${dataset.n_images} images, ${dataset.n_videos} videos${added}${skipped}`;
}

process.exitCode = await main(process.argv.slice(2));
