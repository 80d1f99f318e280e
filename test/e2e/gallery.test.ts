import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/dynamodb-local';
import { E2eApi } from './api';
import { createIndexedDataset, launchChromium, nearDuplicatePhotos } from './gallery-browser';
import { type LocalServiceProcess, mintToken, printServiceLogOnFailure, startLocalService } from './local-service';

/**
 * The gallery at `/` of the real local service, in a real headless Chromium: sign-in by pasting the token (a session
 * cookie), the datasets list, a dataset page showing exactly the clusters the API returns, add_media and reindex from
 * the page, the cookie refused to other sites' and other origins' pages, sign-out.
 */
let work: string;
let service: LocalServiceProcess;
let api: E2eApi;
let token: string;
let browser: Browser;
let attacker: Server;
let attackerPort: number;
/** Seven photos, two near-duplicate pairs: the dataset the cluster views are checked against. */
let photosId: string;
/** One photo: the dataset the page adds media to and reindexes. */
let workbenchId: string;

interface Cluster {
  cluster_id: string;
  size: number;
}
interface Member {
  media_id: string;
}

const SUB = 'gallery-user';
const THUMBS_PER_CLUSTER = 8;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-gallery-'));
  service = await startLocalService(join(work, 'data'));
  token = await mintToken(SUB);
  api = new E2eApi(service.url, token);
  const photos = await nearDuplicatePhotos();
  [photosId, workbenchId, browser] = await Promise.all([
    createIndexedDataset(api, 'photos', photos),
    createIndexedDataset(api, 'workbench', [photos[2]!]),
    launchChromium(),
  ]);
  attackerPort = await freePort();
  attacker = await serveAttackerPages(attackerPort);
});

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A page of its own (a fresh cookie jar) with a viewport tall enough that every cluster's thumbnails load. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 2400 } });
  return { context, page: await context.newPage() };
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${service.url}/`);
  await page.getByLabel('Token (JWT, e.g. from npm run token)').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Datasets' }).waitFor();
}

describe('the gallery in Chromium', { timeout: 180_000 }, () => {
  it('signs in with the pasted token, kept as an HttpOnly SameSite=Strict cookie, and lists the datasets', async () => {
    const { context, page } = await freshPage();
    await page.goto(`${service.url}/`);
    await page.getByLabel('Token (JWT, e.g. from npm run token)').fill(`${token.slice(0, -4)}AAAA`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Not authenticated: The token signature does not match this API key');
    expect(await context.cookies()).toEqual([]);

    await page.getByLabel('Token (JWT, e.g. from npm run token)').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    expect(await context.cookies()).toEqual([
      expect.objectContaining({
        name: 'session',
        value: token,
        path: '/',
        httpOnly: true,
        secure: false,
        sameSite: 'Strict',
        expires: -1,
      }),
    ]);
    // Functions, not strings: the page's CSP has no 'unsafe-eval'. Browser globals are not in this project's types.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe(
      '',
    );
    await expect.poll(() => page.locator('#account').textContent()).toContain(`signed in as ${SUB}`);

    const rows = await page.locator('tbody tr').evaluateAll((elements) =>
      elements.map((row) => ({
        id: row.getAttribute('data-dataset-id'),
        name: row.querySelector('a')?.textContent,
        status: row.querySelector('.status')?.textContent,
      })),
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { id: photosId, name: 'photos', status: 'READY' },
        { id: workbenchId, name: 'workbench', status: 'READY' },
      ]),
    );
    await context.close();
  });

  it('shows a dataset with exactly the clusters the API returns, largest first, thumbnails loaded with the cookie', async () => {
    const { context, page } = await freshPage();
    await signIn(page);
    await page.getByRole('link', { name: 'photos' }).click();
    await page.getByRole('heading', { name: 'Clusters (5)' }).waitFor();

    const clusters = (await api.request('GET', `/api/v1/dataset/${photosId}/clusters?limit=1000`))
      .json<{ items: Cluster[] }>()
      .items.sort((a, b) => b.size - a.size || a.cluster_id.localeCompare(b.cluster_id));
    expect(clusters.map((cluster) => cluster.size)).toEqual([2, 2, 1, 1, 1]);
    const expected = await Promise.all(
      clusters.map(async (cluster) => ({
        id: cluster.cluster_id,
        size: cluster.size,
        heading: `${cluster.cluster_id} · ${cluster.size} media`,
        members: (
          await api.request(
            'GET',
            `/api/v1/dataset/${photosId}/clusters/${cluster.cluster_id}?limit=${THUMBS_PER_CLUSTER}`,
          )
        )
          .json<{ items: Member[] }>()
          .items.map((member) => member.media_id),
      })),
    );

    const thumbnails = page.locator('.clusters img');
    await expect.poll(() => thumbnails.count()).toBe(7);
    await expect
      .poll(() =>
        thumbnails.evaluateAll((images) =>
          (images as unknown as { complete: boolean; naturalWidth: number }[]).every(
            (image) => image.complete && image.naturalWidth > 0,
          ),
        ),
      )
      .toBe(true);
    const shown = await page.locator('.clusters > li').evaluateAll((cards) =>
      cards.map((card) => ({
        id: card.getAttribute('data-cluster-id'),
        size: Number(card.getAttribute('data-size')),
        heading: card.querySelector('h3')?.textContent,
        members: [...card.querySelectorAll('li[data-media-id]')].map((item) => item.getAttribute('data-media-id')),
      })),
    );
    expect(shown).toEqual(expected);

    const media = await api.media(photosId);
    const batchMedia = await page
      .locator('[data-batch-id] li[data-media-id]')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-media-id')));
    expect(batchMedia.sort()).toEqual(media.map((item) => item.media_id).sort());
    await expect.poll(() => page.locator('[data-operation-id] [data-fact="type"]').textContent()).toBe('INITIAL_INDEX');

    await page.getByRole('link', { name: expected[0]!.id }).click();
    await page.getByRole('heading', { name: `Cluster ${expected[0]!.id}` }).waitFor();
    await expect.poll(() => page.locator('li[data-media-id]').count()).toBe(2);
    await context.close();
  });

  it('adds media and reindexes from the page, showing the API refusal detail when not allowed', async () => {
    const { context, page } = await freshPage();
    await signIn(page);
    await page.goto(`${service.url}/#/dataset/${workbenchId}`);
    const operationFact = (name: string) => page.locator(`[data-operation-id] [data-fact="${name}"]`).textContent();

    await page.getByRole('button', { name: 'Reindex' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe("Operation 'reindex' is not allowed while dataset status is READY");

    await page
      .getByLabel('Image or video files')
      .setInputFiles(join(import.meta.dirname, '..', 'fixtures', 'real-images', 'grace_hopper.jpg'));
    await page.getByRole('button', { name: 'Add media' }).click();
    await expect.poll(() => operationFact('type'), { timeout: 120_000 }).toBe('MEDIA_ADDITION');
    await expect.poll(() => operationFact('status'), { timeout: 120_000 }).toBe('SUCCEEDED');
    expect((await api.dataset(workbenchId)).status_new).toBe('PARTIAL INDEX');

    await page.getByRole('button', { name: 'Reindex' }).click();
    await expect.poll(() => operationFact('type'), { timeout: 120_000 }).toBe('REINDEX');
    await expect.poll(() => operationFact('status'), { timeout: 120_000 }).toBe('SUCCEEDED');
    expect(await page.getByRole('heading', { name: 'Clusters (2)' }).count()).toBe(1);
    expect(await api.dataset(workbenchId)).toMatchObject({ status_new: 'READY', n_images: 2 });
    await context.close();
  });

  it("refuses the cookie to other sites' and other origins' pages: a cross-site form POST changes nothing", async () => {
    const { context, page } = await freshPage();
    await signIn(page);
    const before = await api.request('GET', '/api/v1/datasets');

    // Another site (localhost is not 127.0.0.1): SameSite=Strict keeps the cookie off its requests.
    const crossSite = await attackFrom(page, `http://localhost:${attackerPort}/create`);
    expect(crossSite).toEqual({ status: 401, challenge: 'Bearer', body: '{"detail":"Not authenticated"}' });
    // Same site, another origin (another port of 127.0.0.1): the browser sends the cookie; the service refuses it.
    const sameSite = await attackFrom(page, `http://127.0.0.1:${attackerPort}/create`);
    expect(sameSite).toEqual({
      status: 401,
      challenge: expect.stringContaining("The session cookie is accepted from this service's own pages only"),
      body: '{"detail":"Not authenticated"}',
    });
    // Login CSRF: a foreign page cannot put its own token into the user's cookie.
    const signInFromElsewhere = await attackFrom(page, `http://127.0.0.1:${attackerPort}/sign-in`);
    expect(signInFromElsewhere.status).toBe(403);
    expect((await api.request('GET', '/api/v1/datasets')).text).toBe(before.text);

    // Without fetch metadata (not a browser, or an old one) the API's CSRF rule decides on the Origin.
    const cookie = { Cookie: `session=${token}` };
    const foreign = await fetch(`${service.url}/api/v1/datasets`, {
      method: 'POST',
      headers: { ...cookie, Origin: `http://127.0.0.1:${attackerPort}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ display_name: 'forged' }),
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({
      detail: `CSRF check failed: origin http://127.0.0.1:${attackerPort} is not allowed`,
    });
    const own = await fetch(`${service.url}/api/v1/dataset/${photosId}/reindex`, {
      method: 'POST',
      headers: { ...cookie, Origin: service.url },
    });
    expect(await own.json()).toEqual({ detail: "Operation 'reindex' is not allowed while dataset status is READY" });
    expect((await api.request('GET', '/api/v1/datasets')).text).toBe(before.text);
    await context.close();
  });

  it('signs out: the cookie is cleared and the page asks for the token again', async () => {
    const { context, page } = await freshPage();
    await signIn(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await context.cookies()).toEqual([]);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const answer = await page.evaluate(async () => (await fetch('/api/v1/datasets')).status);
    expect(answer).toBe(401);
    await context.close();
  });
});

/** Opens an attacker page that auto-submits its form to the service; what the browser got back. */
async function attackFrom(page: Page, url: string) {
  const response = page.waitForResponse((answer) => answer.url().startsWith(service.url));
  await page.goto(url);
  const answer = await response;
  return {
    status: answer.status(),
    challenge: (await answer.allHeaders())['www-authenticate'],
    body: await answer.text(),
  };
}

/** Pages of another origin, each an auto-submitting form aimed at the service, as a malicious site would serve. */
function serveAttackerPages(port: number): Promise<Server> {
  const forms: Record<string, string> = {
    '/create': `<form method="POST" action="${service.url}/api/v1/datasets"><input name="display_name" value="forged"></form>`,
    '/sign-in': `<form method="POST" enctype="text/plain" action="${service.url}/session"><input name='{"token":"${token}","x":"' value='"}'></form>`,
  };
  const server = createServer((request, response) => {
    const form = forms[request.url ?? ''];
    response.writeHead(form ? 200 : 404, { 'content-type': 'text/html' });
    response.end(form ? `<!doctype html>${form}<script>document.forms[0].submit()</script>` : '');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
