/**
 * Adding 1 000 media to a clustered dataset of N media: the assign worker's compute (open the committed clustering's
 * partition index, nearest clustered media of each new media through byte-range reads of its files, kNN among the new
 * media, the incremental decision) against a full re-clustering of N + 1 000 (partition index, kNN graph, components,
 * outliers, representatives). The committed clustering's files are on local disk (the page cache, just written), where
 * the assign worker reads them from S3 by byte range; DynamoDB writes are left out of both sides. Each N runs in a
 * fresh process; the incremental side starts from a collected heap (a fresh worker has no clustering garbage), and
 * its figure is the median of 7 warm runs (the first, cold run is reported apart).
 *
 *   npx tsx bench/incremental-add.ts [N …]        (default 10000 100000 1000000)
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageHashes } from '../core/clustering/image-hashes';
import { assignIncrementally } from '../core/clustering/incremental-assignment';
import { CommittedClustering } from '../workers/assign/committed-clustering';
import { PARTITION_PROBES, TOP_PROBES } from '../workers/assign/partition-search';
import { localRangedReader, type RangedReader } from '../workers/assign/ranged-reader';
import { buildKnnGraph } from '../workers/cluster/build-knn-graph';
import { clusterVectors } from '../workers/cluster/cluster-vectors';
import { ExactKnn } from '../workers/cluster/exact-knn';
import { PARTITION_FILES, partitionLayout, partitionRowsFile } from '../workers/cluster/partition-files';
import { buildPartitionIndex, PARTITION_SIZE, sortedByPartition } from '../workers/cluster/partition-index';
import { encodeVectors } from '../workers/embed/shard-format';
import { cpuNow, cpuSeconds, loadAverage, now, peakRssMiB, runChild, seconds } from './measure';
import { newBatch, syntheticSet } from './synthetic-vectors';

const DIMENSION = 512;
const ADDED = 1000;
const K = 10;
const THRESHOLD = 0.9;
const REPEATS = 7;

interface IncrementalRun {
  readonly n: number;
  /** Median over REPEATS of the whole incremental assignment of ADDED media, seconds (first, cold run separately). */
  readonly incrementalSeconds: number;
  readonly incrementalColdSeconds: number;
  /** Median CPU seconds of the warm runs. */
  readonly incrementalCpuSeconds: number;
  readonly joined: number;
  readonly newClusters: number;
  readonly fullSeconds: number;
  readonly fullCpuSeconds: number;
  /** Bytes the incremental side read from the clustering's files, per run. */
  readonly bytesRead: number;
  /** Read requests (S3 GetObject calls in the worker) per run. */
  readonly requests: number;
  /** Size of the clustering's partition files. */
  readonly indexBytes: number;
  readonly load: number;
  readonly peakRssMiB: number;
}

/** A reader that counts what it hands out and how many requests it took. */
function counting(reader: RangedReader): { reader: RangedReader; bytes: () => number; requests: () => number } {
  let total = 0;
  let requests = 0;
  return {
    reader: {
      async read(file, range, into) {
        const data = await reader.read(file, range, into);
        total += data.length;
        requests++;
        return data;
      },
    },
    bytes: () => total,
    requests: () => requests,
  };
}

/** gc() when the child runs with --expose-gc (runChild passes it). */
const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Clusters the N media and writes the partition files the cluster worker would, into `folder`. */
async function writeCommittedClustering(vectors: Float32Array, n: number, folder: string, exact: ExactKnn) {
  const clustering = await clusterVectors(vectors, DIMENSION, { k: K, threshold: THRESHOLD, exact });
  const { index, sorted, labels } = clustering;
  // No prints file: synthetic vectors have no prints, and the cluster worker writes none then.
  const files: [string, Uint8Array][] = [
    [PARTITION_FILES.layout, new TextEncoder().encode(JSON.stringify(partitionLayout(index, PARTITION_SIZE, false)))],
    [PARTITION_FILES.topCentroids, encodeVectors(index.topCentroids)],
    [PARTITION_FILES.centroids, encodeVectors(index.centroids)],
    [PARTITION_FILES.rows, partitionRowsFile(index, sorted, labels, ImageHashes.fromHex(Array(labels.length)))],
  ];
  for (const [file, bytes] of files) writeFileSync(join(folder, file), bytes);
  return {
    summary: {
      n_media: n,
      n_clusters: clustering.sizes.length,
      threshold: THRESHOLD,
      k: K,
      batches: ['b0'],
      dimension: DIMENSION,
      knn: clustering.method,
    },
    indexBytes: files.reduce((sum, [, bytes]) => sum + bytes.length, 0),
  };
}

async function measure(n: number): Promise<IncrementalRun> {
  const data = syntheticSet(n, DIMENSION);
  const batch = newBatch(data, DIMENSION, ADDED);
  const exact = await ExactKnn.open(DIMENSION, 'cpu', () => {});
  const folder = mkdtempSync(join(tmpdir(), 'bench-incremental-'));
  try {
    const { summary, indexBytes } = await writeCommittedClustering(data.vectors, n, folder, exact);
    // The assign worker starts as a fresh process: leave the clustering's garbage out of its figures.
    collectGarbage();

    const times: number[] = [];
    const cpuTimes: number[] = [];
    let outcome = { joined: 0, newClusters: 0 };
    let bytesRead = 0;
    let requests = 0;
    for (let repeat = 0; repeat <= REPEATS; repeat++) {
      collectGarbage();
      const reader = counting(localRangedReader(folder));
      const started = now();
      const cpu = cpuNow();
      const committed = await CommittedClustering.open(summary, reader.reader);
      const existing = await committed.nearest(batch, exact);
      const { graph } = await buildKnnGraph(batch, DIMENSION, K, {
        exact,
        partitions: async () => {
          const batchIndex = await buildPartitionIndex(batch, DIMENSION, exact);
          return { index: batchIndex, sorted: sortedByPartition(batch, batchIndex) };
        },
      });
      const result = assignIncrementally({
        batchId: 'b1',
        vectors: batch,
        dimension: DIMENSION,
        existing,
        batchGraph: graph,
        threshold: THRESHOLD,
      });
      times.push(seconds(started));
      cpuTimes.push(cpuSeconds(cpu));
      bytesRead = reader.bytes();
      requests = reader.requests();
      outcome = {
        joined: [...result.joined.values()].reduce((a, b) => a + b, 0),
        newClusters: result.newClusters.length,
      };
    }
    // Full re-clustering of everything after the add: what the incremental path saves.
    const all = new Float32Array((n + ADDED) * DIMENSION);
    all.set(data.vectors);
    all.set(batch, n * DIMENSION);
    collectGarbage();
    const started = now();
    const cpu = cpuNow();
    await clusterVectors(all, DIMENSION, { k: K, threshold: THRESHOLD, exact });
    const fullSeconds = seconds(started);
    const fullCpuSeconds = cpuSeconds(cpu);

    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return {
      n,
      incrementalSeconds: median(times.slice(1)),
      incrementalColdSeconds: times[0],
      incrementalCpuSeconds: median(cpuTimes.slice(1)),
      ...outcome,
      fullSeconds,
      fullCpuSeconds,
      bytesRead,
      requests,
      indexBytes,
      load: loadAverage(),
      peakRssMiB: peakRssMiB(),
    };
  } finally {
    await exact.release();
    rmSync(folder, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  console.log(JSON.stringify(await measure(Number(args[1]))));
} else {
  const sizes = args.length ? args.map(Number) : [10_000, 100_000, 1_000_000];
  console.log(
    `add ${ADDED} media (half near-duplicates) to N clustered ${DIMENSION}-d media; ${availableParallelism()} cores; ` +
      `partitions of ~${PARTITION_SIZE}; lookups probe ${TOP_PROBES} top cells, ${PARTITION_PROBES} partitions; ` +
      `500 of the added media are near-duplicates (should join)`,
  );
  const runs: IncrementalRun[] = [];
  for (const n of sizes) {
    const run = runChild<IncrementalRun>(import.meta.url, [String(n)]);
    runs.push(run);
    console.log(JSON.stringify(run));
  }
  const base = runs[0];
  console.table(
    runs.map((r) => ({
      N: r.n,
      'incr. wall s (median)': +r.incrementalSeconds.toFixed(3),
      'incr. wall s (cold)': +r.incrementalColdSeconds.toFixed(3),
      'incr. CPU s': +r.incrementalCpuSeconds.toFixed(3),
      'CPU µs / added media': Math.round((r.incrementalCpuSeconds / ADDED) * 1e6),
      'per-item vs first N (CPU)': +(r.incrementalCpuSeconds / base.incrementalCpuSeconds).toFixed(2),
      'full CPU s': +r.fullCpuSeconds.toFixed(1),
      'full wall s': +r.fullSeconds.toFixed(1),
      'incr. / full (CPU)': `${((r.incrementalCpuSeconds / r.fullCpuSeconds) * 100).toFixed(3)} %`,
      'KB read / added media': Math.round(r.bytesRead / ADDED / 1024),
      'read requests': r.requests,
      'index MB': Math.round(r.indexBytes / 2 ** 20),
      joined: r.joined,
      'new clusters': r.newClusters,
      'peak RSS MiB': r.peakRssMiB,
      'load avg': r.load,
    })),
  );
}
