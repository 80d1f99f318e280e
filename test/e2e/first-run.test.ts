import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { devTokenOptions, LOCAL_AUTH_DEFAULTS, mintDevToken } from '../../local/token';
import { makeImage } from '../support/media-fixtures';
import { E2eApi } from './api';
import { type LocalServiceProcess, printServiceLogOnFailure, REPO_ROOT, startLocalService } from './local-service';

/** What a new user meets on a workstation: the default identity, AUTH_MODE=none, and the answers that say what to do. */
const work = mkdtempSync(join(tmpdir(), 'e2e-first-run-'));
let service: LocalServiceProcess | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The defaults of a plain `npm start`: no AUTH_JWT_SECRET, the development issuer and audience. */
const DEFAULT_AUTH = {
  AUTH_JWT_SECRET: '',
  AUTH_ISSUER: LOCAL_AUTH_DEFAULTS.issuer,
  AUTH_AUDIENCE: LOCAL_AUTH_DEFAULTS.audience,
};

/** Media for the path routes live under LOCAL_MEDIA_ROOTS, never inside a DATA_DIR. */
const MEDIA_ROOT = join(work, 'media');

async function imagesFolder(name: string): Promise<string> {
  const folder = join(MEDIA_ROOT, name);
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < 2; i++) writeFileSync(join(folder, `${i}.jpg`), await makeImage({ seed: 700 + i }));
  return folder;
}

describe('first run on a workstation', { timeout: 180_000 }, () => {
  it('one identity: the token of `npm run token` (the banner) and the CLI without VL_TOKEN see the same datasets', async () => {
    service = await startLocalService(join(work, 'identity'), { ...DEFAULT_AUTH, LOCAL_MEDIA_ROOTS: MEDIA_ROOT });
    printServiceLogOnFailure(() => service);
    expect(service.output()).toMatch(/try it \(token for local-user/);
    const api = new E2eApi(service.url, await mintDevToken(devTokenOptions([], {})));
    const created = await api.request(
      'GET',
      `/api/v1/process/create?${new URLSearchParams({ name: 'mine', path: await imagesFolder('identity') })}`,
    );
    expect(created.status, created.text).toBe(202);
    const { id } = created.json<{ id: string }>();
    await api.waitUntilIdle(id);

    const { stdout } = await promisify(execFile)(join(REPO_ROOT, 'run_profiler.sh'), ['-o', 'status', '-d', id], {
      env: { PATH: process.env.PATH!, HOME: work, VL_BASE_URL: service.url },
    });
    expect(JSON.parse(stdout)).toMatchObject({ id, display_name: 'mine', status_new: 'READY' });
  });

  it('a refused token says why in WWW-Authenticate, while the body stays Not authenticated', async () => {
    service = await startLocalService(join(work, 'reasons'), DEFAULT_AUTH);
    const expired = await mintDevToken({ ...devTokenOptions([], {}), ttl: '-1h' });
    const foreign = await mintDevToken({ ...devTokenOptions([], {}), issuer: 'someone-else' });
    const cases = [
      [undefined, 'Bearer'],
      [expired, 'Bearer error="invalid_token", error_description="The token expired; get a new one"'],
      [
        foreign,
        'Bearer error="invalid_token", error_description="The token issuer (iss) is not accepted here; expected add-media-local"',
      ],
    ] as const;
    for (const [token, challenge] of cases) {
      const response = await fetch(`${service.url}/api/v1/datasets`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
      expect([response.status, response.headers.get('www-authenticate'), await response.json()]).toEqual([
        401,
        challenge,
        { detail: 'Not authenticated' },
      ]);
    }
  });

  it('AUTH_MODE=none: the header-less on-prem call works, as the local user; web pages are refused', async () => {
    service = await startLocalService(join(work, 'none'), {
      AUTH_MODE: 'none',
      MAX_UPLOAD_BYTES: '2048',
      LOCAL_MEDIA_ROOTS: MEDIA_ROOT,
    });
    printServiceLogOnFailure(() => service);
    const folder = await imagesFolder('none');
    const created = await fetch(`${service.url}/api/v1/process/create?name=demo&path=${encodeURIComponent(folder)}`);
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const api = new E2eApi(service.url, 'ignored');
    expect((await api.waitUntilIdle(id)).dataset).toMatchObject({ status_new: 'READY', n_images: 2 });
    const added = await fetch(
      `${service.url}/api/v1/process/add_media?dataset_id=${id}&path=${encodeURIComponent(folder)}`,
    );
    expect(added.status).toBe(202);
    await api.waitUntilIdle(id);

    const listed = (await (await fetch(`${service.url}/api/v1/datasets`)).json()) as { id: string }[];
    expect(listed.map((dataset) => dataset.id)).toEqual([id]);

    for (const headers of [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }] as Record<
      string,
      string
    >[]) {
      const refused = await fetch(`${service.url}/api/v1/datasets`, { headers });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/error_description="AUTH_MODE=none serves programs/);
    }

    const form = new FormData();
    form.append('files[]', new Blob([new Uint8Array(4096)]), 'big.jpg');
    const tooLarge = await fetch(`${service.url}/api/v1/dataset/${id}/add_media`, { method: 'POST', body: form });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { detail: string }).detail).toBe(
      'Request body too large for direct upload (limit 2048 bytes, MAX_UPLOAD_BYTES); add the media by path instead (GET /api/v1/process/add_media?dataset_id=<id>&path=<folder, manifest or archive>, or run_profiler.sh -p), or put them into the embedded S3 and pass s3_uri, or restart with a larger MAX_UPLOAD_BYTES',
    );
  });
});
