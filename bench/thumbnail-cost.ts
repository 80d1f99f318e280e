import sharp from 'sharp';
import { makeImage } from '../test/support/media-fixtures';
import { decodeImage } from '../workers/embed/decode-image';
import { makeThumbnail } from '../workers/embed/thumbnail';
import { cpuNow, cpuSeconds, loadAverage, now, seconds } from './measure';

/**
 * CPU cost of one thumbnail (workers/embed/thumbnail.ts) at common photo sizes: WebP encode of the preview that embed's
 * one decode keeps (longest side 256 px; the decode itself is embed's anyway and is not counted). Sequential, so CPU ms
 * per image is the cost of one.
 * Usage: npx tsx bench/thumbnail-cost.ts [N=40]
 */
const n = Number(process.argv[2] ?? 40);
sharp.concurrency(1);

for (const [width, height] of [
  [640, 480],
  [1920, 1080],
  [4000, 3000],
] as const) {
  const previews = await Promise.all(
    Array.from(
      { length: n },
      async (_, i) => (await decodeImage(await makeImage({ seed: i, width, height }), 64)).preview,
    ),
  );
  await makeThumbnail({ preview: previews[0]! }); // warm-up
  const cpu = cpuNow();
  const wall = now();
  let out = 0;
  for (const preview of previews) out += (await makeThumbnail({ preview })).byteLength;
  const perImageCpuMs = (cpuSeconds(cpu) * 1000) / n;
  const perImageWallMs = (seconds(wall) * 1000) / n;
  console.log(
    `${width}x${height} JPEG: ${perImageCpuMs.toFixed(1)} CPU ms / image, ${perImageWallMs.toFixed(1)} ms wall, ` +
      `thumbnail ${(out / n / 1024).toFixed(1)} KiB (N=${n}, load ${loadAverage()})`,
  );
}
