import pLimit from 'p-limit';
import { meanDirection } from '../../core/clustering/vector-math';
import type { SkippedMedia } from '../runtime/batch-records';
import type { DecodedMedia } from './decode-media';
import type { ManifestEntry } from './manifest';
import { type PixelNormalisation, rgbToChw } from './pixel-tensor';

/** One embedded media: a row of the shard's .jsonl, aligned with a row of its .f32 (docs/pipeline.md). */
export interface ShardRow {
  readonly media_id: string;
  readonly type: 'image' | 'video';
  readonly source_uri: string;
  /** Where the bytes are (the manifest's location): what the media's `url` opens. */
  readonly location?: ManifestEntry['location'];
  readonly frame_count?: number;
  readonly width?: number;
  readonly height?: number;
  /** Perceptual hash of an image and of its mirror image (core/clustering/image-hashes.ts); absent for videos. */
  readonly phash?: string;
  /** An image's pixel print (core/clustering/pixel-agreement.ts), base64; absent for videos. */
  readonly print?: string;
}

export interface EmbeddedEntries {
  /** One unit vector per row, row-major. */
  readonly vectors: Float32Array;
  readonly rows: readonly ShardRow[];
  readonly skipped: readonly SkippedMedia[];
}

interface Encoder {
  readonly inputSize: number;
  readonly dimension: number;
  encode(pixels: Float32Array, count: number): Promise<Float32Array>;
}

export interface EmbedOptions {
  readonly encoder: Encoder;
  readonly normalisation: PixelNormalisation;
  readonly decode: (entry: ManifestEntry) => Promise<DecodedMedia>;
  /** Frames per inference call. */
  readonly batchSize: number;
  /** Batches decoded ahead while one is being inferred (at least 1). */
  readonly prefetch: number;
  /** Media decoded at the same time within a batch. */
  readonly decodeConcurrency: number;
  /** Called with each batch's results, in order, once its `entries` manifest entries are embedded or skipped. */
  readonly onBatch?: (batch: EmbeddedEntries, entries: number) => Promise<void>;
}

/**
 * Decodes and embeds `entries`, in order. Decoding of the next batches (I/O, sharp and ffmpeg all run off the main
 * thread) overlaps inference of the current one; at most `prefetch` batches are decoded ahead, which bounds memory.
 * A video's vector is the normalised mean of its frames' vectors.
 */
export async function embedEntries(entries: readonly ManifestEntry[], options: EmbedOptions): Promise<EmbeddedEntries> {
  const { encoder } = options;
  const groups: ManifestEntry[][] = [];
  for (let i = 0; i < entries.length; i += options.batchSize) groups.push(entries.slice(i, i + options.batchSize));

  const pending: Promise<DecodedMedia[]>[] = [];
  let nextGroup = 0;
  const refill = () => {
    while (pending.length < Math.max(1, options.prefetch) && nextGroup < groups.length) {
      const decoding = pLimit(Math.max(1, options.decodeConcurrency)).map(groups[nextGroup++]!, options.decode);
      // Awaited in order below; this only keeps a failure that happens while an earlier batch runs from being "unhandled".
      decoding.catch(() => {});
      pending.push(decoding);
    }
  };

  const vectors: Float32Array[] = [];
  const rows: ShardRow[] = [];
  const skipped: SkippedMedia[] = [];
  refill();
  while (pending.length) {
    const decoded = await pending.shift()!;
    const [vectorsBefore, rowsBefore, skippedBefore] = [vectors.length, rows.length, skipped.length];
    refill();
    const usable = decoded.filter((media) => media.ok);
    for (const media of decoded) if (!media.ok) skipped.push({ name: media.entry.source_uri, reason: media.reason });
    const frameVectors = await encodeFrames(usable, options);
    let row = 0;
    for (const media of usable) {
      vectors.push(
        media.frameCount === 1
          ? frameVectors.slice(row * encoder.dimension, (row + 1) * encoder.dimension)
          : meanDirection(frameVectors, encoder.dimension, row, media.frameCount),
      );
      row += media.frameCount;
      rows.push({
        media_id: media.entry.media_id,
        type: media.entry.type,
        source_uri: media.entry.source_uri,
        location: media.entry.location,
        ...(media.entry.type === 'video' ? { frame_count: media.frameCount } : {}),
        ...(media.width && media.height ? { width: media.width, height: media.height } : {}),
        ...(media.hash ? { phash: media.hash } : {}),
        ...(media.print ? { print: media.print } : {}),
      });
    }
    await options.onBatch?.(
      {
        vectors: toMatrix(vectors.slice(vectorsBefore), encoder.dimension),
        rows: rows.slice(rowsBefore),
        skipped: skipped.slice(skippedBefore),
      },
      decoded.length,
    );
  }
  return { vectors: toMatrix(vectors, encoder.dimension), rows, skipped };
}

function toMatrix(vectors: readonly Float32Array[], dimension: number): Float32Array {
  const matrix = new Float32Array(vectors.length * dimension);
  vectors.forEach((vector, i) => {
    matrix.set(vector, i * dimension);
  });
  return matrix;
}

type Usable = Extract<DecodedMedia, { ok: true }>;

/** Runs every frame of `media` through the encoder in calls of at most `batchSize` frames. */
async function encodeFrames(media: readonly Usable[], options: EmbedOptions): Promise<Float32Array> {
  const { encoder, batchSize } = options;
  const side = encoder.inputSize;
  const frameBytes = side * side * 3;
  const frames: Uint8Array[] = media.flatMap((item) =>
    Array.from({ length: item.frameCount }, (_, f) => item.rgb.subarray(f * frameBytes, (f + 1) * frameBytes)),
  );
  const output = new Float32Array(frames.length * encoder.dimension);
  for (let start = 0; start < frames.length; start += batchSize) {
    const slice = frames.slice(start, start + batchSize);
    const pixels = new Float32Array(slice.length * 3 * side * side);
    slice.forEach((frame, i) => {
      rgbToChw(frame, side, options.normalisation, pixels, i * 3 * side * side);
    });
    output.set(await encoder.encode(pixels, slice.length), start * encoder.dimension);
  }
  return output;
}
