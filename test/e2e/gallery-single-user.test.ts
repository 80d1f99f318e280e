import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { E2eApi } from './api';
import { createIndexedDataset, launchChromium, nearDuplicatePhotos } from './gallery-browser';
import { type LocalServiceProcess, printServiceLogOnFailure, startLocalService } from './local-service';

/** The gallery of a workstation service started with AUTH_MODE=none: no sign-in, the local user's datasets at once. */
let work: string;
let service: LocalServiceProcess;
let browser: Browser;
let datasetId: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-gallery-none-'));
  service = await startLocalService(join(work, 'data'), { AUTH_MODE: 'none' });
  // AUTH_MODE=none takes every request of this machine as local-user; the client's Authorization header is ignored.
  const api = new E2eApi(service.url, 'ignored');
  const cat = (await nearDuplicatePhotos()).filter((photo) => photo.name === 'chelsea.jpg');
  [datasetId, browser] = await Promise.all([createIndexedDataset(api, 'cat', cat), launchChromium()]);
});

beforeEach(() => printServiceLogOnFailure(() => service));

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the gallery with AUTH_MODE=none', { timeout: 120_000 }, () => {
  it('asks for no sign-in: the datasets, a dataset and its thumbnail load at once', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${service.url}/`);
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    expect(await page.locator('#account').textContent()).toBe('local user (AUTH_MODE=none)');
    await page.getByRole('link', { name: 'cat' }).click();
    await page.getByRole('heading', { name: 'Clusters (1)' }).waitFor();
    const image = page.locator('.clusters img');
    await expect
      .poll(() => image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    expect(await page.locator('.clusters li[data-media-id]').count()).toBe(1);
    expect(page.url()).toBe(`${service.url}/#/dataset/${datasetId}`);
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });
});
