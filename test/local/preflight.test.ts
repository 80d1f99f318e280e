import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readLocalConfig } from '../../local/config';
import { checkAuthSettings } from '../../local/preflight/auth-settings';
import { lockDataDir } from '../../local/preflight/data-dir-lock';
import { checkVideoTools } from '../../local/preflight/media-tools';
import { checkPorts } from '../../local/preflight/ports';
import { PreflightError, preflight } from '../../local/preflight/preflight';
import { freePort } from '../support/dynamodb-local';

const root = mkdtempSync(join(tmpdir(), 'preflight-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const dataDir = () => join(root, `data-${++folders}`);

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});
async function occupiedPort(): Promise<number> {
  const port = await freePort();
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
}

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';

describe('authentication settings, checked before start', () => {
  it('refuses a short AUTH_JWT_SECRET, naming it and how to make a good one', () => {
    const env = { AUTH_JWT_SECRET: 'short' };
    expect(checkAuthSettings(readLocalConfig(env), env).problems).toEqual([
      'AUTH_JWT_SECRET must be at least 32 bytes long for HS256 (it has 5); set AUTH_JWT_SECRET to 32 bytes or more, e.g. AUTH_JWT_SECRET=$(openssl rand -hex 32), or unset it to use the development secret on this machine',
    ]);
  });

  it('warns when the development secret is in use, and refuses it on anything but loopback', () => {
    expect(checkAuthSettings(readLocalConfig({}), {})).toEqual({
      problems: [],
      warnings: [expect.stringMatching(/^AUTH_JWT_SECRET is not set: tokens are checked with the public development/)],
    });
    const exposed = checkAuthSettings(readLocalConfig({ HOST: '0.0.0.0' }), {});
    expect(exposed.problems).toEqual([
      expect.stringMatching(
        /^the public development secret cannot protect a service listening on HOST=0.0.0.0; set AUTH_JWT_SECRET=/,
      ),
    ]);
    expect(checkAuthSettings(readLocalConfig({ HOST: '0.0.0.0' }), { AUTH_JWT_SECRET: SECRET })).toEqual({
      problems: [],
      warnings: [],
    });
  });

  it('takes AUTH_MODE=none on loopback only', () => {
    expect(checkAuthSettings(readLocalConfig({ AUTH_MODE: 'none' }), {}).problems).toEqual([]);
    expect(checkAuthSettings(readLocalConfig({ AUTH_MODE: 'none', HOST: '0.0.0.0' }), {}).problems).toEqual([
      expect.stringMatching(/^AUTH_MODE=none serves every caller as the local user, so it is refused on HOST=0.0.0.0/),
    ]);
    expect(() => readLocalConfig({ AUTH_MODE: 'off' })).toThrow('AUTH_MODE must be one of jwt, none, got "off"');
  });

  it('refuses AUTH_JWT_SECRET_ARN, which the local service cannot read', () => {
    const env = { AUTH_JWT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt' };
    expect(checkAuthSettings(readLocalConfig(env), env).problems).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET_ARN is for the cloud deployment/),
    ]);
  });
});

describe('DATA_DIR lock', () => {
  it('refuses a second service on the same DATA_DIR, naming it and the owner; free again once released', async () => {
    const dir = dataDir();
    mkdir(dir);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      const first = lockDataDir(dir, other.pid!); // held by another live process
      expect(() => lockDataDir(dir)).toThrow(
        `DATA_DIR ${dir} is in use by another add-media service (pid ${other.pid}); stop that one, or set DATA_DIR to another folder`,
      );
      first.release();
      lockDataDir(dir).release();
      expect(existsSync(join(dir, 'service.lock'))).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock naming this very process (a container restarted on its volume runs as pid 1 again)', () => {
    const dir = dataDir();
    mkdir(dir);
    lockDataDir(dir); // left behind by "the previous life"
    lockDataDir(dir).release();
  });

  it('takes over the lock of a service that died without releasing it', async () => {
    const dir = dataDir();
    mkdir(dir);
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.once('exit', resolve));
    lockDataDir(dir, gone.pid!); // written as if by the dead process
    const lock = lockDataDir(dir);
    lock.release();
  });
});

describe('ports and tools', () => {
  it('names PORT or S3_PORT when it is taken', async () => {
    const taken = await occupiedPort();
    const free = await freePort();
    expect(await checkPorts(readLocalConfig({ PORT: String(taken), S3_PORT: String(free) }))).toEqual([
      `PORT ${taken} is already in use on 127.0.0.1 (another add-media service?); stop what uses it, or set PORT to a free port`,
    ]);
    expect(await checkPorts(readLocalConfig({ PORT: String(free), S3_PORT: String(taken) }))).toEqual([
      `S3_PORT ${taken} is already in use on 127.0.0.1 (another add-media service?); stop what uses it, or set S3_PORT to a free port`,
    ]);
    expect(await checkPorts(readLocalConfig({ PORT: String(free), S3_PORT: String(free) }))).toEqual([
      `PORT and S3_PORT are both ${free}; give them different values`,
    ]);
  });

  it('warns once when ffmpeg / ffprobe are not on PATH, saying how to install them', () => {
    expect(checkVideoTools({ PATH: root })).toEqual([
      'ffmpeg and ffprobe not found on PATH: videos will be skipped, images are processed; install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg) and restart the service',
    ]);
    expect(checkVideoTools(process.env)).toEqual([]);
  });
});

describe('preflight', () => {
  it('reports every problem at once (settings, ports, free space in DATA_DIR) and leaves DATA_DIR unlocked', async () => {
    const dir = dataDir();
    const taken = await occupiedPort();
    const env = {
      DATA_DIR: dir,
      PORT: String(taken),
      S3_PORT: '0',
      AUTH_JWT_SECRET: 'short',
      MIN_FREE_DISK_MB: '1000000000',
    };
    const refused = await preflight(readLocalConfig(env), env).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PreflightError);
    expect((refused as PreflightError).problems).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET must be at least 32 bytes/),
      expect.stringMatching(new RegExp(`^PORT ${taken} is already in use`)),
      expect.stringMatching(
        new RegExp(
          `^DATA_DIR ${dir} has \\d+ MiB free, less than the 1000000000 MiB it needs; free some space there, set DATA_DIR to a disk with room, or lower MIN_FREE_DISK_MB$`,
        ),
      ),
    ]);
    expect(existsSync(join(dir, 'service.lock'))).toBe(false);
  });

  it('refuses a read-only DATA_DIR, naming it and the fix (a real read-only mount; skipped where mounting is not allowed)', async (context) => {
    const dir = dataDir();
    mkdirSync(dir);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=4m', 'tmpfs', dir]).status !== 0) context.skip();
    try {
      const env = { DATA_DIR: dir, PORT: '0', S3_PORT: '0', MIN_FREE_DISK_MB: '1', PATH: root };
      const refused = await preflight(readLocalConfig(env), env).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(PreflightError);
      expect((refused as PreflightError).problems).toEqual([
        `DATA_DIR ${dir} is not writable (EROFS); make it writable, or set DATA_DIR to a writable folder`,
      ]);
    } finally {
      spawnSync('umount', [dir]);
    }
  });

  it('claims DATA_DIR and passes the warnings on when all is well', async () => {
    const env = { DATA_DIR: dataDir(), PORT: '0', S3_PORT: '0', PATH: root };
    const result = await preflight(readLocalConfig(env), env);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET is not set/),
      expect.stringMatching(/^ffmpeg and ffprobe not found on PATH/),
    ]);
    expect(existsSync(join(env.DATA_DIR, 'service.lock'))).toBe(true);
    result.lock.release();
  });
});

function mkdir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
