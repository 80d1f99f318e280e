import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devTokenOptions, LOCAL_AUTH_DEFAULTS, mintDevToken } from '../../local/token';
import { freePort } from '../support/dynamodb-local';
import { E2eApi } from './api';
import { REPO_ROOT, startLocalService } from './local-service';

/** The tour runs with the defaults: the development secret, issuer and audience, and the local user. */
const DEV_AUTH = { AUTH_ISSUER: LOCAL_AUTH_DEFAULTS.issuer, AUTH_AUDIENCE: LOCAL_AUTH_DEFAULTS.audience };

/** The README's "five-minute tour" block, exactly as printed. */
function tourBlock(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A five-minute tour (local)'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no bash block in its tour');
  return block;
}

const work = mkdtempSync(join(tmpdir(), 'readme-tour-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the README tour', () => {
  it('runs as printed, from the repository folder, against a fresh service', { timeout: 600_000 }, async () => {
    const [port, s3Port] = [await freePort(), await freePort()];
    const dataDir = join(work, 'data');
    // In its own process group, so that whatever the tour started goes with it if a step fails.
    const tour = spawn('bash', ['-e', '-c', tourBlock()], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH!,
        HOME: work,
        PORT: String(port),
        S3_PORT: String(s3Port),
        DATA_DIR: dataDir,
        MEDIA: work,
        npm_config_update_notifier: 'false',
      },
    });
    let output = '';
    tour.stdout.on('data', (chunk) => (output += chunk));
    tour.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => tour.once('exit', resolve));
    try {
      process.kill(-tour.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }

    expect(code, output).toBe(0);
    expect(output, 'a request was refused').not.toMatch(/"detail"/);
    expect(output).toContain('add-media local service ready');
    expect(output).not.toMatch(/^warning:/m);
    // What the tour did, read back through the API of a service on the same DATA_DIR.
    const service = await startAfterTourService(dataDir);
    try {
      const api = new E2eApi(service.url, await mintDevToken(devTokenOptions([], {})));
      const listed = (await api.request('GET', '/api/v1/datasets')).json<
        { id: string }[] | { items: { id: string }[] }
      >();
      const ids = (Array.isArray(listed) ? listed : listed.items).map((dataset) => dataset.id);
      const datasets = await Promise.all(ids.map((id) => api.dataset(id)));
      expect(
        datasets
          .map(({ display_name, status_new, n_images, n_videos, error }) => ({
            display_name,
            status_new,
            n_images,
            n_videos,
            error,
          }))
          .sort((a, b) => a.display_name.localeCompare(b.display_name)),
      ).toEqual([
        { display_name: 'demo', status_new: 'READY', n_images: 8, n_videos: 1, error: null },
        { display_name: 'demo2', status_new: 'READY', n_images: 1, n_videos: 0, error: null },
      ]);
    } finally {
      await service.stop();
    }
  });
});

/**
 * The tour's service was just SIGKILLed with its process group; until the kernel has reaped it, its pid still answers
 * and DATA_DIR's lock still names it, so a second service is refused for a moment (as it should be).
 */
async function startAfterTourService(dataDir: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLocalService(dataDir, { AUTH_JWT_SECRET: '', ...DEV_AUTH });
    } catch (error) {
      if (attempt >= 20 || !String(error).includes('is in use by another add-media service')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
