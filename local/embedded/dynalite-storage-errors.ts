import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

type ActionCallback = (error: unknown, data?: unknown) => void;
type Action = (store: unknown, data: unknown, callback: ActionCallback) => void;

/** What dynalite answers for a storage failure: a DynamoDB 500 whose message names the cause (the API maps it to 507). */
interface StatusError {
  readonly statusCode: number;
  readonly body: { readonly __type: string; readonly message: string };
}

/**
 * dynalite throws any LevelDB error that is not a DynamoDB one (`if (err) throw err` in its request handler), from a
 * callback: a full or read-only disk (LEVEL_IO_ERROR … No space left on device) crashed the whole service. Every action
 * module is wrapped, before dynalite loads them, so such an error becomes an HTTP 500 `InternalServerError` carrying the
 * storage's message; the request fails, the process stays up.
 */
export function loadDynaliteWithStorageErrors(): (options: Record<string, unknown>) => unknown {
  const root = dirname(require.resolve('dynalite/package.json'));
  const actionsDir = join(root, 'actions');
  for (const file of readdirSync(actionsDir).filter((name) => name.endsWith('.js'))) {
    const path = require.resolve(join(actionsDir, file));
    const action = require(path) as Action & { storageErrorsWrapped?: true };
    if (action.storageErrorsWrapped) continue;
    const wrapped: Action & { storageErrorsWrapped?: true } = (store, data, callback) =>
      action(store, data, (error, result) => callback(asStatusError(error), result));
    wrapped.storageErrorsWrapped = true;
    require.cache[path]!.exports = wrapped;
  }
  return require(root) as (options: Record<string, unknown>) => unknown;
}

function asStatusError(error: unknown): unknown {
  if (!error || (error as { statusCode?: unknown }).statusCode) return error;
  const cause = (error as Error).message ?? String(error);
  const status: StatusError = {
    statusCode: 500,
    body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: `Storage error: ${cause}` },
  };
  return status;
}
