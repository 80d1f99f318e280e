/**
 * The gallery's first paint for a 1,000-image dataset: the local service on a fresh DATA_DIR indexes `count` generated
 * images (a tenth of them with two transformed copies each, so there are clusters to show) by the on-prem path route;
 * then the dataset page is opened `loads` times in headless Chromium, each time in a fresh browser context (cold cache,
 * signed in by the session cookie), and the Performance API gives first-contentful-paint, the moment the clusters are
 * in the page (`gallery:clusters-rendered`: every API answer in, thumbnails not yet loaded) and the moment the
 * thumbnails of the first page of clusters in view are decoded (`gallery:clusters-visible`), both marked by
 * local/gallery/gallery.js.
 * Prints the medians and every load.
 *
 *   npx tsx bench/gallery-first-paint.ts [count=1000] [loads=5]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { E2eApi } from '../test/e2e/api';
import { launchChromium } from '../test/e2e/gallery-browser';
import { mintToken, startLocalService } from '../test/e2e/local-service';
import { makeImage } from '../test/support/media-fixtures';
import { loadAverage } from './measure';

const count = Number(process.argv[2] ?? 1000);
const loads = Number(process.argv[3] ?? 5);
const SIDE = 192;

/** `count` images: originals, and for every tenth original a shrunk copy and a re-encoded, slightly darker copy. */
async function writeImages(folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  let written = 0;
  for (let seed = 0; written < count; seed++) {
    const original = await makeImage({ seed, width: SIDE, height: SIDE });
    const files: [string, Buffer][] = [[`img-${seed}.jpg`, original]];
    if (seed % 10 === 0) {
      files.push([
        `img-${seed}-small.jpg`,
        await sharp(original)
          .resize(SIDE / 2)
          .jpeg({ quality: 70 })
          .toBuffer(),
      ]);
      files.push([`img-${seed}-dark.jpg`, await sharp(original).modulate({ brightness: 0.9 }).jpeg().toBuffer()]);
    }
    for (const [name, bytes] of files.slice(0, count - written)) writeFileSync(join(folder, name), bytes);
    written += Math.min(files.length, count - written);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number) => Math.round(value);

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-gallery-'));
  const service = await startLocalService(join(work, 'data'), { LOCAL_MEDIA_ROOTS: work });
  const browser = await launchChromium();
  try {
    await writeImages(join(work, 'images'));
    const token = await mintToken('bench');
    const api = new E2eApi(service.url, token);
    const indexStarted = performance.now();
    const created = await api.request(
      'POST',
      `/api/v1/process/create?${new URLSearchParams({ name: 'first-paint', path: join(work, 'images') })}`,
    );
    if (created.status !== 202) throw new Error(`create: ${created.status} ${created.text}`);
    const datasetId = created.json<{ id: string }>().id;
    const { dataset } = await api.waitUntilIdle(datasetId, 1_800_000);
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    const clusters = (await api.request('GET', `/api/v1/dataset/${datasetId}/clusters?limit=1000`)).json<{
      items: { size: number }[];
    }>().items;

    const samples: {
      fcp_ms: number;
      clusters_rendered_ms: number;
      clusters_visible_ms: number;
      api_requests: number;
      thumbnails: number;
    }[] = [];
    for (let load = 0; load < loads; load++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addCookies([
        { name: 'session', value: token, url: service.url, httpOnly: true, sameSite: 'Strict' },
      ]);
      const page = await context.newPage();
      let apiRequests = 0;
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/api/v1/') && !request.url().endsWith('/thumbnail'))
          apiRequests += 1;
      });
      await page.goto(`${service.url}/#/dataset/${datasetId}`);
      await page.waitForFunction(() => performance.getEntriesByName('gallery:clusters-visible').length > 0, null, {
        timeout: 120_000,
      });
      const timings = await page.evaluate(() => {
        const visible = performance.getEntriesByName('gallery:clusters-visible')[0]!.startTime;
        return {
          fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
          rendered: performance.getEntriesByName('gallery:clusters-rendered')[0]!.startTime,
          visible,
          thumbnails: performance
            .getEntriesByType('resource')
            .filter((entry) => entry.name.endsWith('/thumbnail') && entry.startTime <= visible).length,
        };
      });
      samples.push({
        fcp_ms: round(timings.fcp),
        clusters_rendered_ms: round(timings.rendered),
        clusters_visible_ms: round(timings.visible),
        api_requests: apiRequests,
        thumbnails: timings.thumbnails,
      });
      await context.close();
    }
    console.log(
      JSON.stringify(
        {
          images: dataset.n_images,
          clusters: clusters.length,
          clusters_of_2_or_more: clusters.filter((cluster) => cluster.size > 1).length,
          index_to_ready_s: Math.round(indexSeconds * 10) / 10,
          loads,
          median_first_contentful_paint_ms: median(samples.map((sample) => sample.fcp_ms)),
          median_clusters_rendered_ms: median(samples.map((sample) => sample.clusters_rendered_ms)),
          median_clusters_visible_ms: median(samples.map((sample) => sample.clusters_visible_ms)),
          samples,
          load_average: loadAverage(),
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await service.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
