import { ImageHashes } from '../../core/clustering/image-hashes';
import type { ExactKnn } from '../cluster/exact-knn';
import { checkLayout, PARTITION_FILES, type PartitionLayout, partitionLayoutSchema } from '../cluster/partition-files';
import { gatherRows } from '../cluster/partition-index';
import { PartitionRows, rowBytes } from '../cluster/partition-rows';
import { type ByteRange, forEachRange, type RangedReader } from './ranged-reader';

/** Top cells whose partitions are considered per query. */
export const TOP_PROBES = 3;
/**
 * Partitions scanned per query. A near-duplicate (similarity ≥ 0.9) almost always shares a partition with its original
 * or sits in the next one; the fewer the dimensions, the more often it crosses further. With 3 partitions 497 of 500
 * near-copies (cosine ≈ 0.97) found their original among 20k 128-d topic-shaped vectors (494 with 2, 499 with 6), and
 * 481 of 500 at 32-d (bench/README.md has the 512-d figures).
 */
export const PARTITION_PROBES = 3;

/** Partitions fewer than this many rows apart are read in one request. */
const MERGE_GAP_ROWS = 16;
/** Centroids and partition rows are read and used this many bytes at a time, in two buffers: memory stays flat. */
const CHUNK_BYTES = 4 * 1024 * 1024;

export interface NearestRow {
  /**
   * Cluster number (labels of the clustering) of the most similar clustered media; with a link check, of the most
   * similar one below its threshold or that it allows (`allowed` false when none of the `k` most similar is).
   */
  readonly label: number;
  readonly similarity: number;
  readonly allowed?: boolean;
  /** With query hashes: of the `k` most similar clustered media, the one whose hash is closest (none without hashes). */
  readonly byHash?: { readonly label: number; readonly distance: number };
}

interface Candidate {
  readonly label: number;
  readonly similarity: number;
  readonly distance: number;
  /** Position in the rows (and prints) file. */
  readonly position: number;
  /** The candidate's hash, kept for the link check, and whether the prints file holds a print for it. */
  readonly item?: ImageHashes;
  readonly printed: boolean;
}

/**
 * Which clustered media a query may be linked to by its vector (the rule's pixel check, pixelsAllow): `allows` is asked
 * for candidates at or above `threshold`, most similar first.
 */
export interface VectorLinkCheck {
  readonly threshold: number;
  allows(query: number, candidate: ImageHashes): boolean;
}

/**
 * Nearest clustered media of new vectors through a clustering's partition index, reading only what the queries need:
 * the layout and top centroids, then the partition centroids of the top cells hit, then the rows (label + int8
 * vector) of the partitions probed. Work and bytes grow with the number of queries (about TOP_PROBES cells and
 * PARTITION_PROBES × 64 rows each), not with the size of the clustering.
 */
export class PartitionSearch {
  private constructor(
    private readonly reader: RangedReader,
    private readonly layout: PartitionLayout,
    private readonly topCentroids: Float32Array,
  ) {}

  static async open(reader: RangedReader, dimension: number): Promise<PartitionSearch> {
    const layout = partitionLayoutSchema.parse(
      JSON.parse(new TextDecoder().decode(await reader.read(PARTITION_FILES.layout))),
    );
    checkLayout(layout);
    if (layout.dimension !== dimension)
      throw new Error(`Partition index has dimension ${layout.dimension}, expected ${dimension}`);
    const topCentroids = asFloats(await reader.read(PARTITION_FILES.topCentroids));
    if (topCentroids.length !== (layout.top_start.length - 1) * dimension)
      throw new Error('top-centroids.f32 does not match partitions.json');
    return new PartitionSearch(reader, layout, topCentroids);
  }

  get size(): number {
    return this.layout.n_media;
  }

  /**
   * For each query (row-major, unit length): the most similar clustered media's label and similarity, or null; with
   * the queries' hashes, also the hash-closest of its `hashes.k` most similar clustered media, and with a link check
   * the most similar of those it allows (NearestRow).
   */
  async nearest(
    queries: Float32Array,
    exact: ExactKnn,
    hashes?: { readonly of: ImageHashes; readonly k: number; readonly check?: VectorLinkCheck },
  ): Promise<(NearestRow | null)[]> {
    const d = this.layout.dimension;
    const q = queries.length / d;
    if (q === 0 || this.layout.n_media === 0) return Array.from({ length: q }, () => null);
    const probed = await this.probedPartitions(queries, exact);
    const start = this.layout.partition_start;
    const stride = rowBytes(d);
    const queriesOf = new Map<number, number[]>();
    probed.forEach((partitions, query) => {
      for (const p of partitions) append(queriesOf, p, query);
    });
    const partitionAt = new Map([...queriesOf.keys()].map((p) => [start[p] * stride, p]));
    const keep = Math.max(1, hashes?.k ?? 1);
    const best: Candidate[][] = Array.from({ length: q }, () => []);
    await forEachRange(
      this.reader,
      PARTITION_FILES.rows,
      [...partitionAt].map(([offset, p]) => ({ start: offset, end: start[p + 1] * stride })),
      { mergeGap: MERGE_GAP_ROWS * stride, chunkBytes: CHUNK_BYTES },
      (range, bytes) => {
        const rows = new PartitionRows(bytes, d);
        const first = range.start / stride;
        for (const query of queriesOf.get(partitionAt.get(range.start)!)!) {
          const top = best[query];
          for (let row = 0; row < rows.count; row++) {
            const similarity = rows.similarity(row, queries, query * d);
            if (top.length === keep && similarity <= top[keep - 1].similarity) continue;
            const item = hashes ? rows.hashesOf(row) : undefined;
            const distance = item ? hashes!.of.distance(query, 0, item) : Number.POSITIVE_INFINITY;
            const position = first + row;
            insertBySimilarity(
              top,
              { label: rows.label(row), similarity, distance, position, item, printed: rows.printed(row) },
              keep,
            );
          }
        }
      },
    );
    const check = hashes?.check;
    const prints = check ? await this.printsOf(best, check.threshold) : new Map<number, Uint8Array>();
    /** The candidate's hash item, with its print when the prints file holds one. */
    const withPrint = ({ item, position }: Candidate): ImageHashes => {
      const print = prints.get(position);
      return print
        ? ImageHashes.fromWords(item!.wordsOf(0), Uint8Array.of(item!.has(0) ? 1 : 0), print, Uint8Array.of(1))
        : item!;
    };
    return best.map((top, query) =>
      top.length === 0
        ? null
        : nearestRow(
            top,
            hashes !== undefined,
            check && { ...check, allows: (c) => check.allows(query, withPrint(c)) },
          ),
    );
  }

  /**
   * The prints (partition-prints.bin) of the candidates at or above `threshold` that have one, by position: the only
   * ones a link check compares. None from a clustering written before prints (its media then go unchecked).
   */
  private async printsOf(best: readonly Candidate[][], threshold: number): Promise<Map<number, Uint8Array>> {
    const prints = new Map<number, Uint8Array>();
    const size = this.layout.print_bytes;
    if (size === undefined) return prints;
    const positions = [
      ...new Set(
        best.flatMap((top) => top.filter((c) => c.printed && c.similarity >= threshold).map((c) => c.position)),
      ),
    ].sort((a, b) => a - b);
    await forEachRange(
      this.reader,
      PARTITION_FILES.prints,
      positions.map((position) => ({ start: position * size, end: (position + 1) * size })),
      { mergeGap: MERGE_GAP_ROWS * size, chunkBytes: CHUNK_BYTES },
      (range, bytes) => {
        // A copy: `bytes` views a buffer the next chunk is read into (and Buffer#slice would not copy).
        prints.set(range.start / size, new Uint8Array(bytes));
      },
    );
    return prints;
  }

  /** The PARTITION_PROBES partitions with the most similar centroids among those of each query's TOP_PROBES top cells. */
  private async probedPartitions(queries: Float32Array, exact: ExactKnn): Promise<number[][]> {
    const d = this.layout.dimension;
    const top = this.layout.top_start;
    const cells = top.length - 1;
    const topHits = await exact.search(this.topCentroids, queries, Math.min(TOP_PROBES, cells));
    const queriesOfCell = new Map<number, number[]>();
    topHits.neighbours.forEach((cell, slot) => {
      if (cell >= 0 && top[cell + 1] > top[cell]) append(queriesOfCell, cell, Math.floor(slot / topHits.k));
    });
    const cellAt = new Map([...queriesOfCell.keys()].map((cell) => [top[cell] * d * 4, cell]));
    const ranges: ByteRange[] = [...cellAt].map(([offset, cell]) => ({ start: offset, end: top[cell + 1] * d * 4 }));
    const candidates: { partition: number; similarity: number }[][] = Array.from(
      { length: queries.length / d },
      () => [],
    );
    await forEachRange(
      this.reader,
      PARTITION_FILES.centroids,
      ranges,
      { mergeGap: 0, chunkBytes: CHUNK_BYTES },
      async (range, bytes) => {
        const cell = cellAt.get(range.start)!;
        const members = queriesOfCell.get(cell)!;
        const hits = await exact.search(
          asFloats(bytes),
          gatherRows(queries, d, members),
          Math.min(PARTITION_PROBES, top[cell + 1] - top[cell]),
        );
        members.forEach((query, m) => {
          for (let slot = 0; slot < hits.k; slot++) {
            const local = hits.neighbours[m * hits.k + slot];
            if (local >= 0)
              candidates[query].push({
                partition: top[cell] + local,
                similarity: hits.similarities[m * hits.k + slot],
              });
          }
        });
      },
    );
    return candidates.map((list) =>
      list
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, PARTITION_PROBES)
        .map((c) => c.partition),
    );
  }
}

/** Inserts `candidate` into `top` (most similar first), keeping at most `keep`. */
function insertBySimilarity(top: Candidate[], candidate: Candidate, keep: number): void {
  let at = top.length;
  while (at > 0 && top[at - 1].similarity < candidate.similarity) at--;
  top.splice(at, 0, candidate);
  if (top.length > keep) top.pop();
}

/**
 * Of candidates ordered most similar first: the first that is below the check's threshold or that it allows, else the
 * first one marked not allowed (what an ExistingMatch's `allowed` says). Shared by the clustering's index and by the
 * batches added since it (incremental-job.ts), so both pick a match by the same rule.
 */
export function nearestAllowed<T extends { readonly similarity: number }>(
  ordered: readonly T[],
  check: { readonly threshold: number; allows(candidate: T): boolean },
): { readonly nearest: T; readonly allowed: boolean } {
  const found = ordered.find((c) => c.similarity < check.threshold || check.allows(c));
  return { nearest: found ?? ordered[0]!, allowed: found !== undefined };
}

function nearestRow(
  top: readonly Candidate[],
  hashed: boolean,
  check?: { readonly threshold: number; allows(candidate: Candidate): boolean },
): NearestRow {
  const chosen = check ? nearestAllowed(top, check) : { nearest: top[0]!, allowed: undefined };
  const { label, similarity } = chosen.nearest;
  const nearest = check ? { label, similarity, allowed: chosen.allowed } : { label, similarity };
  if (!hashed) return nearest;
  const closest = top.reduce((a, b) => (b.distance < a.distance ? b : a));
  return Number.isFinite(closest.distance)
    ? { ...nearest, byHash: { label: closest.label, distance: closest.distance } }
    : nearest;
}

function append(lists: Map<number, number[]>, key: number, value: number): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}

const asFloats = (bytes: Uint8Array): Float32Array =>
  new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
