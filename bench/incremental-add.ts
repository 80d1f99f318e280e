/**
 * Adding 1 000 media to a clustered dataset of N media: the assign worker's compute (open the committed index by
 * memory map, nearest neighbour of each new media, kNN among the new media, the incremental decision) against a full
 * re-clustering of N + 1 000. I/O to S3 and DynamoDB is left out of both sides.
 *
 *   npx tsx bench/incremental-add.ts [N …]        (default 10000 100000 1000000)
 *
 * Full re-clustering is measured where it fits the machine (N + 1 000 ≤ 200 000 by default, FULL_MAX). Above, the index build
 * over N is measured (it is needed for the incremental side anyway) and the kNN self-search over all N is extrapolated
 * linearly from a timed sample of SAMPLE queries; components, outliers and representatives are measured at 100 000 and
 * are < 2 % of the total there. The output says which figures are extrapolated.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignIncrementally } from '../lambdas/shared/clustering/incremental-assignment';
import { CommittedClustering } from '../workers/assign/committed-clustering';
import { buildKnnGraph } from '../workers/cluster/build-knn-graph';
import { encodeLabels } from '../workers/cluster/clustering-files';
import { clusterVectors } from '../workers/cluster/cluster-vectors';
import { ExactKnn } from '../workers/cluster/exact-knn';
import { HNSW_SETTINGS, NEAREST_EXPANSION_SEARCH, buildHnswIndex, searchHnsw } from '../workers/cluster/hnsw-index';
import { cpuNow, cpuSeconds, loadAverage, now, peakRssMiB, runChild, seconds } from './measure';
import { newBatch, syntheticSet } from './synthetic-vectors';

const DIMENSION = 512;
const ADDED = 1000;
const K = 10;
const THRESHOLD = 0.9;
const FULL_MAX = Number(process.env.FULL_MAX ?? 200_000);
const SAMPLE = 20_000;
const REPEATS = 5;

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
  readonly fullMeasured: boolean;
  readonly load: number;
  readonly indexBuildSeconds: number;
  readonly peakRssMiB: number;
}

async function measure(n: number): Promise<IncrementalRun> {
  const data = syntheticSet(n, DIMENSION);
  const batch = newBatch(data, DIMENSION, ADDED);
  const exact = await ExactKnn.open(DIMENSION, 'cpu', () => {});
  const folder = mkdtempSync(join(tmpdir(), 'bench-incremental-'));
  try {
    // The committed clustering: index + labels, as the cluster worker writes them.
    let started = now();
    let cpu = cpuNow();
    const index = buildHnswIndex(data.vectors, DIMENSION);
    const indexBuildSeconds = seconds(started);
    const indexBuildCpu = cpuSeconds(cpu);
    let labels: Int32Array;
    let fullSeconds: number;
    let fullCpuSeconds: number;
    let fullMeasured: boolean;
    if (n + ADDED <= FULL_MAX) {
      // Full re-clustering of everything after the add: what the incremental path saves.
      const all = new Float32Array((n + ADDED) * DIMENSION);
      all.set(data.vectors);
      all.set(batch, n * DIMENSION);
      started = now();
      cpu = cpuNow();
      await clusterVectors(all, DIMENSION, { k: K, threshold: THRESHOLD, exact });
      fullSeconds = seconds(started);
      fullCpuSeconds = cpuSeconds(cpu);
      fullMeasured = true;
      labels = (await clusterVectors(data.vectors, DIMENSION, { k: K, threshold: THRESHOLD, exact })).labels;
    } else {
      // Index build measured above; the kNN self-search over all N extrapolated from a sample of queries.
      started = now();
      cpu = cpuNow();
      searchHnsw(index, data.vectors.subarray(0, SAMPLE * DIMENSION), DIMENSION, K);
      const scale = (n + ADDED) / SAMPLE;
      fullSeconds = indexBuildSeconds * ((n + ADDED) / n) + seconds(started) * scale;
      fullCpuSeconds = indexBuildCpu * ((n + ADDED) / n) + cpuSeconds(cpu) * scale;
      fullMeasured = false;
      // Labels of the synthetic ground truth stand in for the clustering (the incremental path only reads them).
      labels = data.groups;
    }
    index.save(join(folder, 'index.usearch'));
    writeFileSync(join(folder, 'labels.u32'), encodeLabels(labels));
    const summary = { n_media: n, n_clusters: 0, threshold: THRESHOLD, k: K, batches: ['b0'], dimension: DIMENSION, knn: 'hnsw' as const };

    const times: number[] = [];
    const cpuTimes: number[] = [];
    let outcome = { joined: 0, newClusters: 0 };
    for (let repeat = 0; repeat <= REPEATS; repeat++) {
      started = now();
      cpu = cpuNow();
      const committed = CommittedClustering.openLocal(summary, folder);
      const existing = await committed.nearest(batch);
      const { graph } = await buildKnnGraph(batch, DIMENSION, K, { exact, index: () => buildHnswIndex(batch, DIMENSION) });
      const result = assignIncrementally({ batchId: 'b1', vectors: batch, dimension: DIMENSION, existing, batchGraph: graph, threshold: THRESHOLD });
      times.push(seconds(started));
      cpuTimes.push(cpuSeconds(cpu));
      await committed.close();
      outcome = { joined: [...result.joined.values()].reduce((a, b) => a + b, 0), newClusters: result.newClusters.length };
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return {
      n,
      incrementalSeconds: median(times.slice(1)),
      incrementalColdSeconds: times[0],
      incrementalCpuSeconds: median(cpuTimes.slice(1)),
      ...outcome,
      fullSeconds,
      fullCpuSeconds,
      fullMeasured,
      load: loadAverage(),
      indexBuildSeconds,
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
      `index usearch ${HNSW_SETTINGS.quantization} M=${HNSW_SETTINGS.connectivity} ef_add=${HNSW_SETTINGS.expansion_add}; ` +
      `nearest lookups ef=${NEAREST_EXPANSION_SEARCH}; 500 of the added media are near-duplicates (should join)`,
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
      'full CPU s': `${r.fullCpuSeconds.toFixed(1)}${r.fullMeasured ? '' : ' (extrap.)'}`,
      'full wall s': `${r.fullSeconds.toFixed(1)}${r.fullMeasured ? '' : ' (extrap.)'}`,
      'incr. / full (CPU)': `${((r.incrementalCpuSeconds / r.fullCpuSeconds) * 100).toFixed(3)} %`,
      'index build wall s': +r.indexBuildSeconds.toFixed(1),
      joined: r.joined,
      'new clusters': r.newClusters,
      'peak RSS MiB': r.peakRssMiB,
      'load avg': r.load,
    })),
  );
}
