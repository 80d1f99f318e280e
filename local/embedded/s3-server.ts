import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface RunningS3Server {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./s3rver-process.cjs', import.meta.url));

/**
 * Starts s3rver (S3-compatible) in a child process on `port` (0 = any free port), storing objects under `directory`.
 */
export async function startS3Server(options: {
  directory: string;
  port?: number;
  buckets?: readonly string[];
}): Promise<RunningS3Server> {
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', SCRIPT, options.directory, String(options.port ?? 0), ...(options.buckets ?? [])],
    // The IPC channel closes when this process dies, even by SIGKILL, and s3rver then exits on 'disconnect' instead of
    // holding its port; unref'd so it never keeps this process alive.
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  child.channel?.unref();
  const port = await readyPort(child);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => stopChild(child),
  };
}

function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve((JSON.parse(line) as { port: number }).port),
    );
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
