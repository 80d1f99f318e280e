/**
 * Decode + embed throughput of the embed worker on this machine's CPUs: files read from disk, decoded and resized by
 * sharp (EXIF, shortest side, centre crop), normalised, and run through ONNX Runtime in batches with decode of the next
 * batch overlapping inference — the same code path as a shard (embedEntries), minus S3.
 *
 *   npx tsx bench/embed-throughput.ts [MEDIA=200] [WIDTH=640] [HEIGHT=480]
 *
 * Two encoders: the small test model at its 64-px input (what local mode and the tests run) and the same architecture
 * at CLIP's 224-px input with 512 outputs (decode/resize at production input size; the model itself is still tiny).
 * CLIP ViT-B/32's own inference cost is not measured here (no CLIP weights on this machine, no GPU).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  DEFAULT_EMBEDDING_CONFIG,
  type EmbeddingConfig,
  TEST_EMBEDDING_CONFIG,
} from '../core/datasets/embedding-config';
import { buildTestModel } from '../core/model/generate-test-model';
import { makeImage } from '../test/support/media-fixtures';
import { decodeImage } from '../workers/embed/decode-image';
import { decodeMedia } from '../workers/embed/decode-media';
import { embedEntries } from '../workers/embed/embed-entries';
import type { ManifestEntry } from '../workers/embed/manifest';
import { MediaReader } from '../workers/embed/media-reader';
import { ImageEncoder } from '../workers/model/image-encoder';
import { openSession } from '../workers/model/inference-session';
import { cpuNow, cpuSeconds, loadAverage, now, peakRssMiB, seconds } from './measure';

const [MEDIA = 200, WIDTH = 640, HEIGHT = 480] = process.argv.slice(2).map(Number);
const DISTINCT = 40;
const cores = availableParallelism();
sharp.cache(false);

const folder = mkdtempSync(join(tmpdir(), 'bench-embed-'));
try {
  const started = now();
  const images = await Promise.all(
    Array.from({ length: DISTINCT }, (_, seed) => makeImage({ seed, width: WIDTH, height: HEIGHT })),
  );
  const entries: ManifestEntry[] = Array.from({ length: MEDIA }, (_, i) => {
    const path = join(folder, `${i}.jpg`);
    writeFileSync(path, images[i % DISTINCT]);
    return {
      media_id: i.toString(16).padStart(24, '0'),
      type: 'image',
      source_uri: path,
      location: { path },
      bytes: images[i % DISTINCT].length,
      mime: 'image/jpeg',
    };
  });
  console.log(
    `${MEDIA} JPEGs of ${WIDTH}×${HEIGHT} (${DISTINCT} distinct, ~${Math.round(images[0].length / 1024)} KB) generated in ${seconds(started).toFixed(1)} s; ${cores} cores`,
  );

  const reader = new MediaReader({
    s3: undefined as never,
    bucket: '',
    sourceS3: undefined as never,
    localPathsAllowed: true,
  });
  const results: Record<string, string | number>[] = [];
  for (const [label, config, grid] of [
    ['test model, 64 px', TEST_EMBEDDING_CONFIG, 8],
    ['test architecture at 224 px, 512-d', { ...DEFAULT_EMBEDDING_CONFIG, model_sha256: undefined }, 8],
  ] as [string, EmbeddingConfig, number][]) {
    const side = config.input_size;
    // decode only: read + sharp decode/resize/crop, as many in flight as the embed worker allows
    let t = now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.max(2, cores) }, async () => {
        while (next < entries.length) await decodeImage(await reader.bytes(entries[next++]), side);
      }),
    );
    const decodeRate = MEDIA / seconds(t);

    const model = buildTestModel({ inputSize: side, grid, dimension: config.dimension, seed: 1 });
    const { session } = await openSession(model, 'cpu', () => {});
    const encoder = new ImageEncoder(session, side, config.dimension);
    t = now();
    const cpu = cpuNow();
    const embedded = await embedEntries(entries, {
      encoder,
      normalisation: config,
      decode: (entry) =>
        decodeMedia(entry, {
          reader,
          side,
          resize: 'crop',
          maxVideoFrames: 16,
          maxVideoFps: 1,
          prints: config.pixel_agreement !== undefined,
        }),
      batchSize: 16,
      prefetch: 2,
      decodeConcurrency: Math.max(2, cores),
    });
    const rate = embedded.rows.length / seconds(t);
    const perCpuSecond = embedded.rows.length / cpuSeconds(cpu);
    await encoder.release();
    // inference alone, on already-normalised pixels, for the split
    const pixels = new Float32Array(16 * 3 * side * side).fill(0.1);
    const inference = await ort.InferenceSession.create(model, { intraOpNumThreads: cores });
    t = now();
    for (let i = 0; i < MEDIA / 16; i++)
      await inference.run({ pixel_values: new ort.Tensor('float32', pixels, [16, 3, side, side]) });
    const inferRate = MEDIA / seconds(t);
    await inference.release();
    results.push({
      encoder: label,
      'decode+embed img/s (wall)': +rate.toFixed(1),
      'wall / cores': +(rate / cores).toFixed(1),
      'img per CPU-second': +perCpuSecond.toFixed(1),
      'decode only img/s': +decodeRate.toFixed(1),
      'inference only img/s': +inferRate.toFixed(0),
    });
  }
  console.table(results);
  console.log(
    `load average ${loadAverage()}; peak RSS ${peakRssMiB()} MiB. "img per CPU-second" = images / (user+system CPU time of the process): throughput per fully used core. Reference: fastdup reports ~31 img/s per core end to end (decode + its own model).`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
