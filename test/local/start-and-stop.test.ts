import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createStopSignalHandler } from '../../local/stop-signals';
import { E2E_AUTH, type LocalServiceProcess, REPO_ROOT, startLocalService } from '../e2e/local-service';
import { freePort } from '../support/dynamodb-local';

const TSX_LOADER = import.meta.resolve('tsx');
const root = mkdtempSync(join(tmpdir(), 'start-and-stop-'));
const running: LocalServiceProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.kill()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `npm start` that is expected to refuse: its exit code and what it printed. */
async function refusedStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, 'local/main.ts'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH!, HOME: root, PORT: String(await freePort()), S3_PORT: '0', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

describe('npm start refuses to start, saying which setting and what to do', () => {
  it('with an AUTH_JWT_SECRET too short for HS256, instead of answering every request 500', async () => {
    const dataDir = join(root, 'short-secret');
    const { code, output } = await refusedStart({ DATA_DIR: dataDir, AUTH_JWT_SECRET: 'too-short' });
    expect(code).toBe(2);
    expect(output).toContain('add-media local service cannot start:');
    expect(output).toContain('AUTH_JWT_SECRET must be at least 32 bytes long for HS256 (it has 9)');
    expect(output).toContain('openssl rand -hex 32');
    expect(output).not.toContain('ready');
  });

  it('on a DATA_DIR a running service holds, and on its port, naming DATA_DIR and PORT', async () => {
    const dataDir = join(root, 'shared');
    const first = await startLocalService(dataDir);
    running.push(first);
    const port = new URL(first.url).port;
    const second = await refusedStart({ DATA_DIR: dataDir, PORT: port, ...E2E_AUTH });
    expect(second.code).toBe(2);
    expect(second.output).toMatch(
      new RegExp(`DATA_DIR ${dataDir} is in use by another add-media service \\(pid \\d+\\)`),
    );
    expect(second.output).toContain(`PORT ${port} is already in use`);
    expect(second.output).not.toContain('Database is closed');
    expect((await fetch(`${first.url}/api/v1/datasets`)).status).toBe(401); // the first one still serves
  });
});

describe('stopping', () => {
  it('takes one Ctrl-C delivered twice (terminal + npm relaying it) as one: a clean stop, exit 0', async () => {
    const service = await startLocalService(join(root, 'stop'));
    running.push(service);
    const exited = new Promise<number | null>((resolve) => service.process.once('exit', resolve));
    service.process.kill('SIGINT');
    setTimeout(() => service.process.kill('SIGINT'), 50);
    expect(await exited).toBe(0);
    expect(service.output().match(/SIGINT: stopping/g)).toHaveLength(1);
    expect(service.output()).not.toContain('exiting now');
  });

  it('exits once the repeat window has passed, so a repeat of the press never meets an exiting process', async () => {
    vi.useFakeTimers();
    try {
      const exits: number[] = [];
      const handler = createStopSignalHandler({
        stop: async () => {},
        log: () => {},
        exit: (code) => exits.push(code),
      });
      handler('SIGINT');
      await vi.advanceTimersByTimeAsync(50);
      handler('SIGINT');
      await vi.advanceTimersByTimeAsync(900);
      expect(exits).toEqual([]);
      await vi.advanceTimersByTimeAsync(100);
      expect(exits).toEqual([0]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forces the exit on a second signal after the repeat window, while the stop still runs', async () => {
    let clock = 0;
    const exits: number[] = [];
    const handler = createStopSignalHandler({
      stop: () => new Promise(() => {}), // a stop that hangs
      log: () => {},
      exit: (code) => exits.push(code),
      now: () => clock,
    });
    handler('SIGINT');
    clock = 50;
    handler('SIGINT');
    expect(exits).toEqual([]);
    clock = 1500;
    handler('SIGINT');
    expect(exits).toEqual([130]);
  });
});
