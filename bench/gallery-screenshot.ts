/**
 * Regenerates docs/gallery.png, the README's screenshot of the gallery: the local service on a fresh DATA_DIR, a dataset
 * of the real-image fixtures with two near-duplicates (test/e2e/gallery-browser.ts), its page in headless Chromium once
 * every cluster thumbnail has loaded, saved as a small palette PNG.
 *
 *   npm run screenshot
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { E2eApi } from '../test/e2e/api';
import { createIndexedDataset, launchChromium, nearDuplicatePhotos } from '../test/e2e/gallery-browser';
import { mintToken, REPO_ROOT, startLocalService } from '../test/e2e/local-service';

const OUTPUT = join(REPO_ROOT, 'docs', 'gallery.png');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gallery-screenshot-'));
  const service = await startLocalService(join(work, 'data'));
  const browser = await launchChromium();
  try {
    const token = await mintToken('local-user');
    const datasetId = await createIndexedDataset(new E2eApi(service.url, token), 'photos', await nearDuplicatePhotos());
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${service.url}/`);
    await page.getByLabel('Token (JWT, e.g. from npm run token)').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    await page.goto(`${service.url}/#/dataset/${datasetId}`);
    await page.waitForFunction(() => performance.getEntriesByName('gallery:clusters-visible').length > 0);
    const shot = await page.screenshot({ fullPage: true });
    const png = await sharp(shot).png({ palette: true, colours: 128, compressionLevel: 9 }).toBuffer();
    writeFileSync(OUTPUT, png);
    console.log(`${OUTPUT}: ${png.length} bytes`);
  } finally {
    await browser.close();
    await service.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
