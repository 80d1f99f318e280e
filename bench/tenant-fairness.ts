/**
 * Tenant fairness on `npm start`: a second user's GET /api/v1/dataset/{id} latency, idle and while another user floods
 * GET /api/v1/datasets (the plain array) with many concurrent clients. Prints p50/p99 of both phases and their ratio; the
 * goal is a p99 under load within 3× of idle. The flood runs in a worker thread, so its response handling does not
 * delay the measuring client's event loop. Not a test.
 *
 *   [MAX_REQUESTS_PER_USER=n] npx tsx bench/tenant-fairness.ts [datasets=1000] [flooders=50] [samples=600]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { E2eApi } from '../test/e2e/api';
import { mintToken, startLocalService } from '../test/e2e/local-service';
import { loadAverage } from './measure';

const datasets = Number(process.argv[2] ?? 1000);
const flooders = Number(process.argv[3] ?? 50);
const samples = Number(process.argv[4] ?? 600);

/** Plain JavaScript for the worker thread: `flooders` loops of GET /datasets until told to stop; reports counts. */
const FLOOD = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, flooders } = workerData;
let stop = false, requests = 0, failures = 0;
parentPort.on('message', () => { stop = true; });
async function loop() {
  while (!stop) {
    const response = await fetch(url, { headers: { Authorization: 'Bearer ' + token } }).catch(() => undefined);
    if (!response) { failures += 1; continue; }
    await response.arrayBuffer();
    if (response.status === 200) requests += 1; else failures += 1;
  }
}
Promise.all(Array.from({ length: flooders }, loop)).then(() => parentPort.postMessage({ requests, failures }));
`;

async function latencies(api: E2eApi, datasetId: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const answer = await api.request('GET', `/api/v1/dataset/${datasetId}`);
    if (answer.status !== 200) throw new Error(`GET dataset: ${answer.status} ${answer.text}`);
    times.push(performance.now() - started);
  }
  return times;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (value: number) => Math.round(value * 10) / 10;

async function createDatasets(api: E2eApi, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const answer = await api.request('POST', '/api/v1/datasets', JSON.stringify({ display_name: `flood ${index}` }), {
        'content-type': 'application/json',
      });
      if (answer.status !== 202) throw new Error(`create: ${answer.status} ${answer.text}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

const ROUNDS = 3;

/** Runs `measure` while `flooders` clients of the flooding user list datasets non-stop (after 2 s of build-up). */
async function whileFlooding(
  url: string,
  token: string,
  measure: () => Promise<number[]>,
  into: number[],
): Promise<{ requests: number; failures: number; seconds: number }> {
  const flood = new Worker(FLOOD, { eval: true, workerData: { url: `${url}/api/v1/datasets`, token, flooders } });
  const done = new Promise<{ requests: number; failures: number }>((resolve) => flood.once('message', resolve));
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  into.push(...(await measure()));
  flood.postMessage('stop');
  const counts = await done;
  await flood.terminate();
  return { ...counts, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-fairness-'));
  const service = await startLocalService(join(work, 'data'), {
    MAX_DATASETS_PER_USER: String(datasets + 10),
    ...(process.env.MAX_REQUESTS_PER_USER ? { MAX_REQUESTS_PER_USER: process.env.MAX_REQUESTS_PER_USER } : {}),
  });
  try {
    const tokenA = await mintToken('flooding-user');
    const floodingUser = new E2eApi(service.url, tokenA);
    const otherUser = new E2eApi(service.url, await mintToken('other-user'));
    await createDatasets(floodingUser, datasets);
    const created = await otherUser.request('POST', '/api/v1/datasets', JSON.stringify({ display_name: 'mine' }), {
      'content-type': 'application/json',
    });
    const datasetId = created.json<{ id: string }>().id;
    const listingBytes = (await floodingUser.request('GET', '/api/v1/datasets')).text.length;

    await latencies(otherUser, datasetId, 30); // warm-up
    // Idle and flooded phases alternate, so that the neighbours' load on a shared machine falls on both alike.
    const idle: number[] = [];
    const loaded: number[] = [];
    let floodCounts = { requests: 0, failures: 0, seconds: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      idle.push(...(await latencies(otherUser, datasetId, samples / ROUNDS)));
      const counts = await whileFlooding(
        service.url,
        tokenA,
        () => latencies(otherUser, datasetId, samples / ROUNDS),
        loaded,
      );
      floodCounts = {
        requests: floodCounts.requests + counts.requests,
        failures: floodCounts.failures + counts.failures,
        seconds: floodCounts.seconds + counts.seconds,
      };
    }
    idle.sort((a, b) => a - b);
    loaded.sort((a, b) => a - b);

    const figures = {
      datasets_of_flooding_user: datasets,
      listing_bytes: listingBytes,
      flooders,
      samples,
      idle_p50_ms: round(percentile(idle, 50)),
      idle_p99_ms: round(percentile(idle, 99)),
      flood_p50_ms: round(percentile(loaded, 50)),
      flood_p99_ms: round(percentile(loaded, 99)),
      p99_ratio: round(percentile(loaded, 99) / percentile(idle, 99)),
      flood_listings_per_s: round(floodCounts.requests / floodCounts.seconds),
      flood_answers_not_200: floodCounts.failures,
      load_average_1m: loadAverage(),
    };
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    await service.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
