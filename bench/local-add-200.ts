/**
 * Local mode, end to end: how long `npm start` takes to serve, then the wall time of adding 200 images (on-prem path
 * route, from request to PARTIAL INDEX) and of the reindex that follows (to READY). Prints the figures; not a test.
 *
 *   npx tsx bench/local-add-200.ts [count=200] [side=128]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2eApi } from '../test/e2e/api';
import { mintToken, startLocalService } from '../test/e2e/local-service';
import { makeImage } from '../test/support/media-fixtures';

const count = Number(process.argv[2] ?? 200);
const side = Number(process.argv[3] ?? 128);

async function writeImages(folder: string, n: number, firstSeed: number): Promise<void> {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < n; i++)
    writeFileSync(
      join(folder, `img-${firstSeed + i}.jpg`),
      await makeImage({ seed: firstSeed + i, width: side, height: side }),
    );
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-local-'));
  try {
    await writeImages(join(work, 'initial'), 10, 0);
    await writeImages(join(work, 'batch'), count, 10_000);

    const start = await timed(() => startLocalService(join(work, 'data'), { LOCAL_MEDIA_ROOTS: work }));
    const service = start.value;
    try {
      const api = new E2eApi(service.url, await mintToken('bench'));
      const processRoute = (route: string, query: Record<string, string>) =>
        api.request('GET', `/api/v1/process/${route}?${new URLSearchParams(query)}`);

      const created = await processRoute('create', { name: 'bench', path: join(work, 'initial') });
      if (created.status !== 202) throw new Error(`create: ${created.status} ${created.text}`);
      const datasetId = created.json<{ id: string }>().id;
      const initial = await timed(() => api.waitUntilIdle(datasetId, 600_000));

      const add = await timed(async () => {
        const answer = await processRoute('add_media', { dataset_id: datasetId, path: join(work, 'batch') });
        if (answer.status !== 202) throw new Error(`add_media: ${answer.status} ${answer.text}`);
        return api.waitUntilIdle(datasetId, 1_800_000);
      });
      const reindex = await timed(async () => {
        const answer = await processRoute('reindex', { dataset_id: datasetId });
        if (answer.status !== 202) throw new Error(`reindex: ${answer.status} ${answer.text}`);
        return api.waitUntilIdle(datasetId, 1_800_000);
      });

      const figures = {
        images: count,
        image_side_px: side,
        npm_start_ready_s: service.readySeconds,
        spawn_to_ready_s: round(start.seconds),
        initial_index_10_images_s: round(initial.seconds),
        add_media_to_partial_index_s: round(add.seconds),
        add_media_status: add.value.dataset.status_new,
        add_media_images_per_s: round(count / add.seconds),
        reindex_to_ready_s: round(reindex.seconds),
        reindex_status: reindex.value.dataset.status_new,
        n_images_after: reindex.value.dataset.n_images,
      };
      console.log(JSON.stringify(figures, null, 2));
    } finally {
      await service.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

await main();
