import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadDynaliteWithStorageErrors } from './dynalite-storage-errors';

export interface RunningDynamoServer {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

const dynalite = loadDynaliteWithStorageErrors() as (options: Record<string, unknown>) => Server;

/**
 * Starts dynalite, a DynamoDB-compatible server in this process (LevelDB), persisted under `path` when given.
 * Latencies are zero so table creation is immediate.
 */
export async function startEmbeddedDynamo(
  options: { path?: string; port?: number } = {},
): Promise<RunningDynamoServer> {
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
