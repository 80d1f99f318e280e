import sharp from 'sharp';
import { makeImage } from '../test/support/media-fixtures';
import { makeThumbnail } from '../workers/embed/thumbnail';
import { cpuNow, cpuSeconds, loadAverage, now, seconds } from './measure';

/**
 * CPU cost of one thumbnail (workers/embed/thumbnail.ts) at common photo sizes: decode from the bytes embed already
 * holds, resize to a longest side of 256 px, WebP encode. Sequential, so CPU ms per image is the cost of one.
 * Usage: npx tsx bench/thumbnail-cost.ts [N=40]
 */
const n = Number(process.argv[2] ?? 40);
sharp.concurrency(1);

for (const [width, height] of [
  [640, 480],
  [1920, 1080],
  [4000, 3000],
] as const) {
  const images = await Promise.all(
    Array.from({ length: n }, (_, i) => makeImage({ seed: i, width, height }).then((bytes) => bytes)),
  );
  await makeThumbnail({ bytes: images[0]! }); // warm-up
  const cpu = cpuNow();
  const wall = now();
  let out = 0;
  for (const bytes of images) out += (await makeThumbnail({ bytes })).byteLength;
  const perImageCpuMs = (cpuSeconds(cpu) * 1000) / n;
  const perImageWallMs = (seconds(wall) * 1000) / n;
  console.log(
    `${width}x${height} JPEG: ${perImageCpuMs.toFixed(1)} CPU ms / image, ${perImageWallMs.toFixed(1)} ms wall, ` +
      `thumbnail ${(out / n / 1024).toFixed(1)} KiB (N=${n}, load ${loadAverage()})`,
  );
}
