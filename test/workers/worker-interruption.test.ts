import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { INTERRUPTED_EXIT_CODE, runInterruptibly, stopGraceMs } from '../../workers/runtime/interruption';

const MAIN = fileURLToPath(new URL('../../workers/main.ts', import.meta.url));
const never = () => new Promise<never>(() => {});

describe('runInterruptibly', () => {
  it('reports work that finishes within the grace period after SIGTERM as done: it was committed', async () => {
    const signals = new EventEmitter();
    let finish = () => {};
    const outcome = runInterruptibly(() => new Promise<void>((resolve) => (finish = resolve)), {
      signals,
      graceMs: 5_000,
    });
    signals.emit('SIGTERM');
    finish();
    expect(await outcome).toEqual({ kind: 'succeeded' });
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('gives up on work still running when the grace period ends, as interrupted', async () => {
    const signals = new EventEmitter();
    let aborted: AbortSignal | undefined;
    const outcome = runInterruptibly(
      (signal) => {
        aborted = signal;
        return never();
      },
      { signals, graceMs: 20 },
    );
    signals.emit('SIGTERM');
    expect(await outcome).toEqual({ kind: 'interrupted' });
    expect(aborted?.aborted).toBe(true);
  });

  it('counts a failure after SIGTERM as the interruption, and one before it as a failure', async () => {
    const signals = new EventEmitter();
    const stopped = new Error('aborted');
    const interrupted = runInterruptibly(
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(stopped), { once: true })),
      { signals, graceMs: 5_000 },
    );
    signals.emit('SIGTERM');
    expect(await interrupted).toEqual({ kind: 'interrupted', error: stopped });

    const broken = new Error('Archive is not a valid zip');
    expect(await runInterruptibly(() => Promise.reject(broken), { signals, graceMs: 5_000 })).toEqual({
      kind: 'failed',
      error: broken,
    });
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('reads STOP_GRACE_SECONDS, within what ECS leaves before SIGKILL', () => {
    expect(stopGraceMs({})).toBe(100_000);
    expect(stopGraceMs({ STOP_GRACE_SECONDS: '5' })).toBe(5_000);
    expect(() => stopGraceMs({ STOP_GRACE_SECONDS: '120' })).toThrow(
      /STOP_GRACE_SECONDS must be an integer from 1 to 115/,
    );
  });
});

describe('workers/main.ts on SIGTERM', () => {
  // An "S3" that accepts connections and never answers: the worker is busy until it is stopped.
  let server: Server;
  const sockets: Socket[] = [];
  let connected: Promise<unknown>;

  beforeAll(async () => {
    server = createServer((socket) => sockets.push(socket));
    connected = once(server, 'connection');
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  it('exits 75, without an error line, when the grace period ends before the work does', async () => {
    const workerTmp = mkdtempSync(join(tmpdir(), 'worker-tmp-'));
    onTestFinished(() => rmSync(workerTmp, { recursive: true, force: true }));
    const { port } = server.address() as { port: number };
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'discover'], {
      env: {
        PATH: process.env.PATH ?? '',
        TMPDIR: workerTmp,
        TASK: 'discover',
        BUCKET_NAME: 'own',
        TABLE_NAME: 'unused-by-discover',
        DATASET_ID: 'ds-stop',
        OPERATION_ID: 'op-stop',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
        S3_FORCE_PATH_STYLE: 'true',
        LOG_LEVEL: 'SILENT',
        SOURCE_KIND: 's3_uri',
        SOURCE_URI: 's3://src/photos/',
        STOP_GRACE_SECONDS: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    await connected;
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];

    expect(code).toBe(INTERRUPTED_EXIT_CODE);
    expect(readdirSync(workerTmp).filter((name) => name.startsWith('discover-'))).toEqual([]); // its scratch went too
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(900);
    expect(stderr).toContain('SIGTERM: finishing what can finish within 1 s');
    expect(stderr).not.toContain('"error"');
  });
});
