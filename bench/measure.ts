import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Small helpers shared by the benchmarks. */
export const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;
export const now = (): bigint => process.hrtime.bigint();

/**
 * CPU seconds (user + system, all threads of this process) since `since`. On a shared, loaded machine wall time
 * measures the neighbours too; CPU time is what the work itself costs.
 */
export const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
export const cpuNow = (): NodeJS.CpuUsage => process.cpuUsage();

/** Load average over the last minute, for the record next to wall-clock figures. */
export const loadAverage = (): number => Math.round(loadavg()[0] * 10) / 10;

/** Peak resident set size of this process so far, MiB. */
export const peakRssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** Least-squares slope of log(time) against log(n): time ∝ n^slope. */
export function fittedExponent(points: readonly { n: number; seconds: number }[]): number {
  const xs = points.map((p) => Math.log(p.n));
  const ys = points.map((p) => Math.log(p.seconds));
  if (points.length < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i] - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** Runs `script --child <args>` in a fresh Node process (its own peak RSS) and parses the JSON line it prints last. */
export function runChild<T>(scriptUrl: string, args: readonly string[]): T {
  // --expose-gc lets a benchmark start a measurement from a collected heap.
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(scriptUrl), '--child', ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
