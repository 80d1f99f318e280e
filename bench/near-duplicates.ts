/**
 * Near-duplicate quality and throughput of the real pipeline, local mode with the default encoder: the originals and
 * distractors of one split of bench/fetch-corpus.sh's corpus are indexed (create → READY), the transformed copies added
 * (add_media → PARTIAL INDEX, incremental assignment), then everything re-clustered (reindex → READY). Prints pairwise
 * precision / recall / F1 per transformation for PARTIAL INDEX and READY, and a 64-bit pHash baseline (Hamming ≤ 6,
 * single link) on the same files; images per CPU-second of add_media (discover + embed + assign + finalize, the service
 * and its workers), and for each step the CPU per process class (service, s3rver, each worker task) from /proc.
 * Not a test.
 *
 *   bash bench/fetch-corpus.sh && npx tsx bench/near-duplicates.ts [corpus=.data/near-duplicates] [split=heldout]
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { E2eApi } from '../test/e2e/api';
import { mintToken, startLocalService } from '../test/e2e/local-service';
import { loadAverage } from './measure';
import { type Entry, pairwiseScores, readCorpus, type Scores } from './near-duplicate-scores';
import { phashBaselineLabels } from './phash';
import { type PhaseCpu, ProcessTreeCpu, TICKS_PER_SECOND } from './process-tree-cpu';

const corpus = resolve(process.argv[2] ?? '.data/near-duplicates', 'set');
const split = process.argv[3] ?? 'heldout';
const entries = readCorpus(corpus, split);

/** CPU seconds of a process and of the children it has waited for (its workers, not the running s3rver), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime, stime, cutime, cstime are fields 14–17 of stat; [1] starts at field 3.
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / TICKS_PER_SECOND;
}

/** CPU per process class of one step, and images per CPU-second of the workers (issue 9's rate) and of the whole tree. */
function printPhaseCpu(step: string, images: number, cpu: PhaseCpu, load: number): void {
  const perImage = (seconds: number) => ((seconds * 1000) / images).toFixed(1);
  const rate = (seconds: number) => (images / seconds).toFixed(1);
  const classes = [...cpu.byClass].sort(([a], [b]) => a.localeCompare(b));
  const workers = (tasks: readonly string[]) =>
    tasks.reduce((sum, task) => sum + (cpu.byClass.get(`worker ${task}`)?.seconds ?? 0), 0);
  console.log(`\n${step}: ${images} images, CPU by process (load average ${load})`);
  console.log('| process | processes | CPU s | ms per image |');
  console.log('| --- | --: | --: | --: |');
  for (const [kind, { processes, seconds }] of classes) {
    console.log(`| ${kind} | ${processes} | ${seconds.toFixed(2)} | ${perImage(seconds)} |`);
    if (kind === 'service')
      console.log(
        `| … main thread (API, state machine, dynalite, Lambda handlers) | | ${cpu.serviceMainThread.toFixed(2)} | ${perImage(cpu.serviceMainThread)} |`,
      );
  }
  console.log(
    `| not attributed (after a process's last poll) | | ${cpu.notAttributed.toFixed(2)} | ${perImage(cpu.notAttributed)} |`,
  );
  console.log(`| **whole service tree** | | ${cpu.total.toFixed(2)} | ${perImage(cpu.total)} |`);
  const issueRate = workers(['discover', 'embed', 'assign']);
  const clusterSeconds = workers(['cluster']);
  const parts = [
    ...(issueRate > 0 ? [`workers discover + embed + assign ${rate(issueRate)}`] : []),
    ...(clusterSeconds > 0 ? [`workers with cluster ${rate(issueRate + clusterSeconds)}`] : []),
    `whole service tree ${rate(cpu.total)}`,
  ];
  console.log(`images per CPU-second: ${parts.join('; ')}`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-near-duplicates-'));
  try {
    const base = join(work, 'base');
    const copies = join(work, 'copies');
    mkdirSync(base);
    mkdirSync(copies);
    for (const e of entries)
      copyFileSync(join(corpus, e.file), join(e.role === 'copy' ? copies : base, basename(e.file)));
    const nBase = entries.filter((e) => e.role !== 'copy').length;
    const nCopies = entries.length - nBase;

    const service = await startLocalService(join(work, 'data'), { LOCAL_MEDIA_ROOTS: work });
    try {
      const api = new E2eApi(service.url, await mintToken('bench'));
      const route = async (name: string, query: Record<string, string>) => {
        const answer = await api.request('GET', `/api/v1/process/${name}?${new URLSearchParams(query)}`);
        if (answer.status !== 202) throw new Error(`${name}: ${answer.status} ${answer.text}`);
        return answer;
      };
      const labelsNow = async (datasetId: string) => {
        const clusterOf = new Map((await api.media(datasetId)).map((m) => [basename(m.source_uri), m.cluster_id]));
        return entries.map((e) => clusterOf.get(basename(e.file)) ?? `missing-${e.file}`);
      };

      const tree = new ProcessTreeCpu(service.pid);
      const phases: [string, number, PhaseCpu, number][] = [];
      const phase = async <T>(step: string, images: number, run: () => Promise<T>): Promise<T> => {
        tree.start();
        const result = await run();
        phases.push([step, images, tree.stop(), loadAverage()]);
        return result;
      };

      let cpu = cpuSeconds(service.pid);
      let wall = performance.now();
      const { datasetId, created } = await phase('initial index (create)', nBase, async () => {
        const id = (await route('create', { name: 'near-duplicates', path: base })).json<{ id: string }>().id;
        return { datasetId: id, created: await api.waitUntilIdle(id, 3_600_000) };
      });
      const indexCpu = cpuSeconds(service.pid) - cpu;
      const indexWall = (performance.now() - wall) / 1000;

      cpu = cpuSeconds(service.pid);
      wall = performance.now();
      const added = await phase('add_media', nCopies, async () => {
        await route('add_media', { dataset_id: datasetId, path: copies });
        return api.waitUntilIdle(datasetId, 3_600_000);
      });
      const addCpu = cpuSeconds(service.pid) - cpu;
      const addWall = (performance.now() - wall) / 1000;
      const partial = pairwiseScores(entries, await labelsNow(datasetId));

      const reindexed = await phase('reindex', nBase + nCopies, async () => {
        await route('reindex', { dataset_id: datasetId });
        return api.waitUntilIdle(datasetId, 3_600_000);
      });
      const readyLabels = await labelsNow(datasetId);
      const ready = pairwiseScores(entries, readyLabels);
      const baseline = pairwiseScores(entries, await phashBaselineLabels(entries.map((e) => join(corpus, e.file))));

      const fmt = (s: Scores) => `${s.recall.toFixed(3)} / ${s.precision.toFixed(3)} / ${s.f1.toFixed(3)}`;
      console.log(
        `${split}: ${nBase} originals + distractors, then ${nCopies} copies; threshold ${reindexed.dataset.similarity_threshold}; statuses ${created.dataset.status_new} → ${added.dataset.status_new} → ${reindexed.dataset.status_new}`,
      );
      console.log('| transformation | pHash ≤ 6 (R / P / F1) | PARTIAL INDEX | READY |');
      console.log('| --- | --- | --- | --- |');
      for (const type of [...ready.byType.keys()].sort())
        console.log(
          `| ${type} | ${fmt(baseline.byType.get(type)!)} | ${fmt(partial.byType.get(type)!)} | ${fmt(ready.byType.get(type)!)} |`,
        );
      console.log(
        `| **all pairs** | ${fmt(baseline.overall)} | ${fmt(partial.overall)} | ${fmt(ready.overall)} |\n` +
          `| largest cluster | ${baseline.largest} | ${partial.largest} | ${ready.largest} |`,
      );
      console.log(
        `initial index: ${nBase} images, ${indexWall.toFixed(0)} s, ${indexCpu.toFixed(1)} CPU-s (${(nBase / indexCpu).toFixed(1)} images per CPU-second)\n` +
          `add_media (discover + embed + assign + finalize): ${nCopies} images, ${addWall.toFixed(0)} s, ${addCpu.toFixed(1)} CPU-s (${(nCopies / addCpu).toFixed(1)} images per CPU-second)`,
      );
      for (const [step, images, phaseCpu, load] of phases) printPhaseCpu(step, images, phaseCpu, load);
      if (process.env.SHOW_MIXED) printMixedClusters(readyLabels);
    } finally {
      await service.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The READY clusters that join media of different ground-truth groups (the false pairs), one per line. */
function printMixedClusters(labels: readonly string[]): void {
  const clusters = new Map<string, Entry[]>();
  for (const [i, label] of labels.entries()) clusters.set(label, [...(clusters.get(label) ?? []), entries[i]!]);
  for (const members of clusters.values())
    if (new Set(members.map((e) => e.group)).size > 1)
      console.log(`mixed: ${members.map((e) => `${basename(e.file)} (${e.transform ?? e.role})`).join(', ')}`);
}

await main();
