import { readFileSync } from 'node:fs';
import { pixelPrint } from '../core/clustering/pixel-agreement';
import type { EmbeddingConfig } from '../core/datasets/embedding-config';
import { decodeImage } from '../workers/embed/decode-image';
import { perceptualHash } from '../workers/embed/perceptual-hash';
import { rgbToChw } from '../workers/embed/pixel-tensor';
import { ImageEncoder } from '../workers/model/image-encoder';
import { openSession } from '../workers/model/inference-session';

/**
 * Embeds image files as the embed worker does: one decode at the config's input size, ONNX Runtime on the CPU in
 * batches of 32, the perceptual hash and the pixel print (base64) of the same decode. `dimension` is the model's output
 * width.
 */
export async function embedFiles(
  model: Uint8Array,
  files: readonly string[],
  config: EmbeddingConfig,
  dimension: number,
): Promise<{ vectors: Float32Array; hashes: (string | undefined)[]; prints: string[] }> {
  const side = config.input_size;
  const { session } = await openSession(model, 'cpu', () => {});
  const encoder = new ImageEncoder(session, side, dimension);
  const vectors = new Float32Array(files.length * dimension);
  const hashes: (string | undefined)[] = [];
  const prints: string[] = [];
  try {
    for (let start = 0; start < files.length; start += 32) {
      const batch = files.slice(start, start + 32);
      const pixels = new Float32Array(batch.length * 3 * side * side);
      for (const [i, file] of batch.entries()) {
        const { rgb, preview } = await decodeImage(readFileSync(file), side, config.resize);
        rgbToChw(rgb, side, config, pixels, i * 3 * side * side);
        hashes.push(perceptualHash(preview));
        prints.push(Buffer.from(pixelPrint(rgb, side)).toString('base64'));
      }
      vectors.set(await encoder.encode(pixels, batch.length), start * dimension);
    }
  } finally {
    await encoder.release();
  }
  return { vectors, hashes, prints };
}
