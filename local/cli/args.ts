import { parseArgs } from 'node:util';

export type CliCommand =
  | {
      readonly operation: 'add_media';
      readonly datasetId: string;
      readonly path: string;
      readonly autoReindex: boolean;
    }
  | { readonly operation: 'reindex'; readonly datasetId: string }
  | { readonly operation: 'create'; readonly name: string; readonly path: string }
  | { readonly operation: 'status'; readonly datasetId: string }
  | { readonly operation: 'help' };

export const USAGE = `usage: run_profiler.sh -o <operation> [options]

  -o add_media -d <dataset_id> -p <path> [-a]            add the media under a local folder, manifest or archive
                                                          (-a: re-cluster right after, ending in READY)
  -o reindex   -d <dataset_id>                            full re-clustering (from PARTIAL INDEX or ERROR)
  -o create    -n <name> -p <path>                        new dataset indexed from a local path (prints its id)
  -o status    -d <dataset_id>                            print the dataset's status
  -h, --help                                              this text

Waits with a progress bar until the operation ends: exit 0 when it succeeded, 1 when it was refused or failed
(the error is printed), 2 for a usage error.
A relative -p is resolved against the current directory; the service must see the same path.
Environment: VL_BASE_URL (default http://localhost:2080); VL_TOKEN, else the token \`npm run token\` prints: for VL_SUB
(default local-user, the user of npm start's banner and of AUTH_MODE=none), signed with AUTH_JWT_SECRET, else the
development secret (and AUTH_ISSUER / AUTH_AUDIENCE when the server sets them).`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads the command line; anything missing or unknown is a UsageError naming it. */
export function parseCliArgs(args: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        operation: { type: 'string', short: 'o' },
        dataset: { type: 'string', short: 'd' },
        path: { type: 'string', short: 'p' },
        name: { type: 'string', short: 'n' },
        'auto-reindex': { type: 'boolean', short: 'a' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { operation: 'help' };
  const need = (value: string | undefined, flag: string): string => {
    if (!value?.trim()) throw new UsageError(`-o ${values.operation} needs ${flag}`);
    return value.trim();
  };
  switch (values.operation) {
    case 'add_media':
      return {
        operation: 'add_media',
        datasetId: need(values.dataset, '-d <dataset_id>'),
        path: need(values.path, '-p <path>'),
        autoReindex: values['auto-reindex'] ?? false,
      };
    case 'reindex':
      return { operation: 'reindex', datasetId: need(values.dataset, '-d <dataset_id>') };
    case 'create':
      return { operation: 'create', name: need(values.name, '-n <name>'), path: need(values.path, '-p <path>') };
    case 'status':
      return { operation: 'status', datasetId: need(values.dataset, '-d <dataset_id>') };
    case undefined:
      throw new UsageError('-o <operation> is required');
    default:
      throw new UsageError(`unknown operation "${values.operation}" (add_media, reindex, create, status)`);
  }
}
