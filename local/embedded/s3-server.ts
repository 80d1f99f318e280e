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
 * s3rver dies on a storage error it does not handle (a write stream meeting a full disk throws from an event), so a
 * child that exits while the service runs is started again on the same port and folder: the request in flight fails
 * (the SDK retries it), every object stored before is still there, and the service stays whole.
 */
export async function startS3Server(options: {
  directory: string;
  port?: number;
  buckets?: readonly string[];
  log?: (message: string) => void;
}): Promise<RunningS3Server> {
  let child = spawnS3rver(options.directory, options.port ?? 0, options.buckets ?? []);
  const port = await readyPort(child);
  let stopping = false;
  const supervise = (running: ChildProcess) => {
    let stderr = '';
    running.stderr?.on('data', (chunk) => (stderr = `${stderr}${chunk}`.slice(-500)));
    running.once('exit', (code, signal) => {
      if (stopping) return;
      const why = stderr.trim().split('\n')[0] ?? '';
      options.log?.(
        `embedded S3 (s3rver) exited (${signal ?? `code ${code}`}${why ? `: ${why}` : ''}); starting it again on port ${port}`,
      );
      child = spawnS3rver(options.directory, port, options.buckets ?? []);
      readyPort(child).then(
        () => supervise(child),
        (error: unknown) => options.log?.(`embedded S3 could not start again: ${String(error)}`),
      );
    });
  };
  supervise(child);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

function spawnS3rver(directory: string, port: number, buckets: readonly string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', SCRIPT, directory, String(port), ...buckets],
    // The IPC channel closes when this process dies, even by SIGKILL, and s3rver then exits on 'disconnect' instead of
    // holding its port; unref'd so it never keeps this process alive.
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  child.channel?.unref();
  return child;
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
