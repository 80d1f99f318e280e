import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import type { E2eApi } from './api';

/** Debian's `chromium` package (.ci/run installs it); CHROMIUM_PATH points elsewhere. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A real headless Chromium, no downloads: playwright-core drives the system browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface NamedImage {
  readonly name: string;
  readonly bytes: Buffer;
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'real-images');
const ORIGINALS = ['astronaut', 'chelsea', 'coffee', 'grace_hopper', 'hubble_deep_field'];

/**
 * The five public-domain / CC0 photos of test/fixtures/real-images and two near-duplicates the default encoder puts
 * with their originals (test/workers/default-encoder.test.ts): a cropped, shrunk, low-quality copy of the cat and a
 * mirror image of the coffee cup. Seven media, five clusters: two pairs and three singles.
 */
export async function nearDuplicatePhotos(): Promise<NamedImage[]> {
  const originals = ORIGINALS.map((name) => ({
    name: `${name}.jpg`,
    bytes: readFileSync(join(FIXTURES, `${name}.jpg`)),
  }));
  const cat = originals[1]!.bytes;
  const { width = 0, height = 0 } = await sharp(cat).metadata();
  const catCopy = await sharp(cat)
    .extract({ left: 12, top: 8, width: width - 24, height: height - 16 })
    .resize(80)
    .jpeg({ quality: 50 })
    .toBuffer();
  const coffeeMirror = await sharp(originals[2]!.bytes).flop().jpeg({ quality: 85 }).toBuffer();
  return [
    ...originals,
    { name: 'chelsea-copy.jpg', bytes: catCopy },
    { name: 'coffee-mirror.jpg', bytes: coffeeMirror },
  ];
}

/** Creates a dataset of `images` through the API and waits until it is indexed; its id. */
export async function createIndexedDataset(api: E2eApi, displayName: string, images: readonly NamedImage[]) {
  const body = new FormData();
  body.append('display_name', displayName);
  for (const image of images) {
    body.append('files[]', new Blob([new Uint8Array(image.bytes)], { type: 'image/jpeg' }), image.name);
  }
  const created = await api.request('POST', '/api/v1/datasets', body);
  if (created.status !== 202) throw new Error(`POST /datasets: ${created.status} ${created.text}`);
  const id = created.json<{ id: string }>().id;
  const { dataset } = await api.waitUntilIdle(id, 600_000);
  if (dataset.status_new !== 'READY') throw new Error(`dataset ${id} ended ${dataset.status_new}: ${dataset.error}`);
  return id;
}
