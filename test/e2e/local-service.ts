import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onTestFailed } from 'vitest';
import { devTokenOptions, mintDevToken } from '../../local/token';
import { freePort } from '../support/dynamodb-local';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');

/** The secret the e2e services run with (≥ 32 bytes for HS256); tokens are minted with it. */
export const E2E_AUTH = {
  AUTH_JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123',
  AUTH_ISSUER: 'e2e-issuer',
  AUTH_AUDIENCE: 'e2e-api',
};

export interface LocalServiceProcess {
  readonly url: string;
  readonly s3Endpoint: string;
  readonly dataDir: string;
  /** Seconds from process start to serving, as the service printed it. */
  readonly readySeconds: number;
  /** The `tsx local/main.ts` process itself. */
  readonly process: ChildProcess;
  /** The service's process id (its workers are its children). */
  readonly pid: number;
  /** Everything the service printed so far. */
  output(): string;
  /** Ctrl-C: graceful stop. */
  stop(): Promise<void>;
  /** SIGKILL to the service and every process it started (as when a machine or container dies). */
  kill(): Promise<void>;
}

export function mintToken(sub: string): Promise<string> {
  return mintDevToken(devTokenOptions(['--sub', sub], E2E_AUTH));
}

/** `tsx local/main.ts` on free ports with `dataDir`, in its own process group; resolves once it serves. */
export async function startLocalService(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<LocalServiceProcess> {
  const [port, s3Port] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', TSX_LOADER, 'local/main.ts'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? '/tmp',
      DATA_DIR: dataDir,
      PORT: String(port),
      S3_PORT: String(s3Port),
      LOG_LEVEL: 'WARN',
      ...E2E_AUTH,
      ...env,
    },
  });
  let output = '';
  const lines = (stream: NodeJS.ReadableStream) =>
    createInterface({ input: stream }).on('line', (line) => (output += `${line}\n`));
  lines(child.stdout!);
  lines(child.stderr!);
  const readySeconds = await waitUntilReady(child, () => output);
  return {
    url: `http://127.0.0.1:${port}`,
    s3Endpoint: `http://127.0.0.1:${s3Port}`,
    dataDir,
    readySeconds,
    process: child,
    pid: child.pid!,
    output: () => output,
    stop: () => stopGroup(child, 'SIGINT'),
    kill: () => stopGroup(child, 'SIGKILL'),
  };
}

function waitUntilReady(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local service not ready after 60 s:\n${output()}`)), 60_000);
    const check = setInterval(() => {
      const ready = /ready in ([\d.]+) s/.exec(output());
      if (!ready) return;
      clearInterval(check);
      clearTimeout(timer);
      resolve(Number(ready[1]));
    }, 50);
    child.once('exit', (code, signal) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`local service exited (${code ?? signal}) before serving:\n${output()}`));
    });
  });
}

function stopGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      // Whatever the service started and left behind goes with it (a SIGKILLed service cannot stop its children).
      killGroup(child, 'SIGKILL');
      resolve();
    });
    killGroup(child, signal);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group is already gone
  }
}

/** Call in beforeEach: when the test fails, the tail of the service's log is printed with it (CI has nothing else). */
export function printServiceLogOnFailure(service: () => LocalServiceProcess | undefined): void {
  onTestFailed(() => {
    process.stderr.write(`--- local service log (tail) ---\n${service()?.output().slice(-8000) ?? '(not started)'}\n`);
  });
}
