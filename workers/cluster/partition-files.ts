import { z } from 'zod';
import type { ImageHashes } from '../../core/clustering/image-hashes';
import { PRINT_BYTES } from '../../core/clustering/pixel-agreement';
import type { PartitionIndex } from './partition-index';
import { encodePartitionPrints, encodePartitionRows, rowBytes } from './partition-rows';

/**
 * The partition index of a full clustering as files next to it (docs/pipeline.md, Cluster). The incremental path
 * reads the layout and the top centroids whole (a few hundred KB at a million media) and everything else by byte
 * range: the centroids of the top cells its queries fall in, then the rows (partition-rows.ts) of the partitions probed.
 */
export const PARTITION_FILES = {
  layout: 'partitions.json',
  topCentroids: 'top-centroids.f32',
  centroids: 'partition-centroids.f32',
  rows: 'partition-rows.bin',
  prints: 'partition-prints.bin',
} as const;

export const partitionLayoutSchema = z.object({
  dimension: z.number().int().positive(),
  n_media: z.number().int().nonnegative(),
  partition_size: z.number().int().positive(),
  /** Top cell c holds partitions [top_start[c], top_start[c + 1]). */
  top_start: z.array(z.number().int().nonnegative()).min(1),
  /** Partition p holds rows [partition_start[p], partition_start[p + 1]) of partition-rows.bin. */
  partition_start: z.array(z.number().int().nonnegative()).min(1),
  /** Bytes per row of partition-rows.bin; absent in clusterings written before rows carried perceptual hashes. */
  row_bytes: z.optional(z.number().int().positive()),
  /**
   * Bytes per print of partition-prints.bin; absent when no media has a print (an encoder without a pixel check, or a
   * clustering written before prints): then there is no prints file and no media is checked.
   */
  print_bytes: z.optional(z.number().int().positive()),
});
export type PartitionLayout = z.infer<typeof partitionLayoutSchema>;

/** `printed`: whether partition-prints.bin is written (some media has a print). */
export function partitionLayout(index: PartitionIndex, partitionSize: number, printed: boolean): PartitionLayout {
  return {
    dimension: index.dimension,
    n_media: index.order.length,
    partition_size: partitionSize,
    top_start: Array.from(index.topStart),
    partition_start: Array.from(index.partitionStart),
    row_bytes: rowBytes(index.dimension),
    ...(printed ? { print_bytes: PRINT_BYTES } : {}),
  };
}

/** partition-rows.bin: every media's row, partition by partition. `sorted` = the vectors in partition order. */
export const partitionRowsFile = (
  index: PartitionIndex,
  sorted: Float32Array,
  labels: Int32Array,
  hashes: ImageHashes,
): Uint8Array =>
  encodePartitionRows(
    sorted,
    Uint32Array.from(index.order, (row) => labels[row]),
    hashes,
    index.dimension,
    index.order,
  );

/** partition-prints.bin: every media's pixel print, in the order of partition-rows.bin. */
export const partitionPrintsFile = (index: PartitionIndex, hashes: ImageHashes): Uint8Array =>
  encodePartitionPrints(hashes, index.order);

/** Checks that a layout read back agrees with itself, so byte ranges computed from it stay inside the files. */
export function checkLayout(layout: PartitionLayout): void {
  const { top_start: top, partition_start: start } = layout;
  if (layout.print_bytes !== undefined && layout.print_bytes !== PRINT_BYTES)
    throw new Error(
      `partitions.json: prints of ${layout.print_bytes} bytes, this version reads ${PRINT_BYTES}; reindex the dataset`,
    );
  if (layout.row_bytes !== rowBytes(layout.dimension))
    throw new Error(
      layout.row_bytes === undefined
        ? 'partitions.json: written before partition rows carried perceptual hashes; reindex the dataset'
        : `partitions.json: rows of ${layout.row_bytes} bytes, this version reads ${rowBytes(layout.dimension)}; reindex the dataset`,
    );
  const partitions = start.length - 1;
  const ascending = (values: number[]) => values.every((value, i) => i === 0 || value >= values[i - 1]);
  if (top[0] !== 0 || top[top.length - 1] !== partitions || !ascending(top))
    throw new Error('partitions.json: top_start does not cover the partitions');
  if (start[0] !== 0 || start[partitions] !== layout.n_media || !ascending(start))
    throw new Error('partitions.json: partition_start does not cover the media');
}
