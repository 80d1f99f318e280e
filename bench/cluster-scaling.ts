/**
 * Full clustering compute (the cluster worker without its S3/DynamoDB I/O) on synthetic 512-d embeddings:
 * time per N, fitted exponent, kNN recall@10 of the partitioned search against exact search, peak RSS. Each N runs in a
 * fresh process so its peak memory is its own.
 *
 *   npx tsx bench/cluster-scaling.ts [N …]        (default 10000 20000 40000 80000 160000)
 */
import { availableParallelism } from 'node:os';
import { EXACT_KNN_BELOW } from '../workers/cluster/build-knn-graph';
import { clusterVectors } from '../workers/cluster/cluster-vectors';
import { ExactKnn } from '../workers/cluster/exact-knn';
import { buildPartitionIndex, PARTITION_SIZE, sortedByPartition } from '../workers/cluster/partition-index';
import { KNN_PROBES, partitionedKnnGraph } from '../workers/cluster/partitioned-knn';
import { cpuNow, cpuSeconds, fittedExponent, loadAverage, now, peakRssMiB, runChild, seconds } from './measure';
import { syntheticSet } from './synthetic-vectors';

const DIMENSION = 512;
const K = 10;
const THRESHOLD = 0.9;

interface ScalingRun {
  readonly n: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly load: number;
  readonly method: string;
  readonly clusters: number;
  readonly groups: number;
  readonly peakRssMiB: number;
}

interface RecallRun {
  readonly n: number;
  readonly recall: number;
  /** Share of the exact neighbours with similarity ≥ THRESHOLD (the edges clustering uses) that were found. */
  readonly edgeRecall: number;
  readonly exactSeconds: number;
  readonly partitionedSeconds: number;
}

async function clusterOnce(n: number): Promise<ScalingRun> {
  const data = syntheticSet(n, DIMENSION);
  const exact = await ExactKnn.open(DIMENSION, 'cpu', () => {});
  const started = now();
  const cpu = cpuNow();
  const result = await clusterVectors(data.vectors, DIMENSION, { k: K, threshold: THRESHOLD, exact });
  const elapsed = seconds(started);
  const cpuUsed = cpuSeconds(cpu);
  await exact.release();
  return {
    n,
    seconds: elapsed,
    cpuSeconds: cpuUsed,
    load: loadAverage(),
    method: result.method,
    clusters: result.sizes.length,
    groups: new Set(data.groups).size,
    peakRssMiB: peakRssMiB(),
  };
}

async function recallOnce(n: number): Promise<RecallRun> {
  const data = syntheticSet(n, DIMENSION);
  const exact = await ExactKnn.open(DIMENSION, 'cpu', () => {});
  let started = now();
  const truth = await exact.search(data.vectors, data.vectors, K, 0);
  const exactSeconds = seconds(started);
  started = now();
  const index = await buildPartitionIndex(data.vectors, DIMENSION, exact);
  const approximate = await partitionedKnnGraph(sortedByPartition(data.vectors, index), K, index, exact);
  const partitionedSeconds = seconds(started);
  await exact.release();
  let hits = 0;
  let edges = 0;
  let edgesFound = 0;
  for (let i = 0; i < n; i++) {
    const expected = new Set(truth.neighbours.subarray(i * K, (i + 1) * K));
    const found = approximate.neighbours.subarray(i * K, (i + 1) * K);
    for (const j of found) if (expected.has(j)) hits++;
    for (let slot = 0; slot < K; slot++) {
      if (truth.similarities[i * K + slot] < THRESHOLD) continue;
      edges++;
      if (found.includes(truth.neighbours[i * K + slot])) edgesFound++;
    }
  }
  return { n, recall: hits / (n * K), edgeRecall: edgesFound / edges, exactSeconds, partitionedSeconds };
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const n = Number(args[2]);
  console.log(JSON.stringify(args[1] === 'recall' ? await recallOnce(n) : await clusterOnce(n)));
} else {
  const sizes = args.length ? args.map(Number) : [10_000, 20_000, 40_000, 80_000, 160_000];
  console.log(
    `full clustering compute, ${DIMENSION}-d synthetic embeddings, k=${K}, threshold ${THRESHOLD}, ${availableParallelism()} cores`,
  );
  console.log(
    `kNN graph: exact blocked GEMM below ${EXACT_KNN_BELOW}, partitioned from there (partitions of ~${PARTITION_SIZE}, ` +
      `${KNN_PROBES} searched per partition); the partition index is always built (it is persisted)`,
  );
  const runs: ScalingRun[] = [];
  for (const n of sizes) {
    const run = runChild<ScalingRun>(import.meta.url, ['cluster', String(n)]);
    runs.push(run);
    console.log(JSON.stringify(run));
  }
  console.table(
    runs.map((r) => ({
      N: r.n,
      'wall s': +r.seconds.toFixed(1),
      'CPU s': +r.cpuSeconds.toFixed(1),
      'CPU µs/media': Math.round((r.cpuSeconds / r.n) * 1e6),
      method: r.method,
      clusters: r.clusters,
      'true groups': r.groups,
      'peak RSS MiB': r.peakRssMiB,
      'load avg': r.load,
    })),
  );
  const cpu = runs.map((r) => ({ n: r.n, seconds: r.cpuSeconds }));
  const partitioned = runs.filter((r) => r.method === 'partitioned');
  console.log(
    `fitted exponent (time ∝ N^e), all N: CPU ${fittedExponent(cpu).toFixed(3)}, wall ${fittedExponent(runs).toFixed(3)}`,
  );
  console.log(
    `fitted exponent, partitioned sizes only: CPU ${fittedExponent(partitioned.map((r) => ({ n: r.n, seconds: r.cpuSeconds }))).toFixed(3)}, wall ${fittedExponent(partitioned).toFixed(3)}`,
  );
  const recall = runChild<RecallRun>(import.meta.url, ['recall', '10000']);
  console.log(
    `kNN recall@${K} of the partitioned search vs exact at N=${recall.n}: ${recall.recall.toFixed(4)}; edges ≥ ${THRESHOLD} found: ` +
      `${recall.edgeRecall.toFixed(4)} (exact ${recall.exactSeconds.toFixed(1)} s, partition index + search ${recall.partitionedSeconds.toFixed(1)} s wall)`,
  );
}
