import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Per-process CPU of a process tree (the local service, its s3rver, its worker tasks) while one phase runs, from /proc:
 * every `intervalMs` the tree is walked by parent links and each process's own utime + stime is kept, keyed by pid and
 * start time. A process that exits between two polls loses its CPU after the last one; `notAttributed` says how much
 * that is, against the tree's total (the root's CPU with its waited-for children, plus the still-running descendants').
 */

/** Clock ticks per second of /proc's CPU fields. */
export const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const WORKER_TASKS = new Set(['discover', 'embed', 'assign', 'cluster']);

interface Stat {
  readonly ppid: number;
  readonly startTime: string;
  /** utime + stime, ticks. */
  readonly own: number;
  /** cutime + cstime: the children this process has waited for, ticks. */
  readonly children: number;
}

/** Fields 4, 14–17 and 22 of /proc/<pid>/stat (the command name, field 2, may hold spaces and parentheses). */
function readStat(path: string): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone since the directory was listed
  }
  const fields = text.slice(text.lastIndexOf(') ') + 2).split(' '); // [0] is field 3
  return {
    ppid: Number(fields[1]),
    own: Number(fields[11]) + Number(fields[12]),
    children: Number(fields[13]) + Number(fields[14]),
    startTime: fields[19]!,
  };
}

/** What a descendant of the service is, from its command line. */
function classify(pid: number): string | undefined {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
  const last = argv.at(-1) ?? '';
  if (argv.some((arg) => /workers(\.mjs|\/main\.m?[jt]s)$/.test(arg)) && WORKER_TASKS.has(last))
    return `worker ${last}`;
  if (argv.some((arg) => arg.endsWith('s3rver-process.cjs'))) return 's3rver';
  if (/(^|\/)java$/.test(argv[0] ?? '')) return 'DynamoDB Local (java)';
  return `other (${(argv[0] ?? '?').split('/').at(-1)})`; // e.g. esbuild, tsx's transpiler
}

interface Tracked {
  kind: string;
  /** Own CPU at the phase's start (0 for a process started during it), and the latest seen, ticks. */
  readonly baseline: number;
  latest: number;
  /** Own + waited-for children's CPU at the phase's start, ticks. */
  readonly baselineWithChildren: number;
}

export interface ClassCpu {
  readonly processes: number;
  readonly seconds: number;
}

export interface PhaseCpu {
  /** CPU seconds by class: `service` (its own threads), `worker <task>`, `s3rver`, …; plus the service's main thread. */
  readonly byClass: ReadonlyMap<string, ClassCpu>;
  readonly serviceMainThread: number;
  /** The whole tree: the root's utime + stime + cutime + cstime, plus its still-running descendants' (s3rver). */
  readonly total: number;
  /** `total` less the classes' sum: CPU of processes after their last poll, or of processes never seen. */
  readonly notAttributed: number;
}

/** Samples the tree under `rootPid` from `start()` until `stop()`. */
export class ProcessTreeCpu {
  private readonly tracked = new Map<string, Tracked>();
  /**
   * Processes outside the tree, not read again during the phase: a poll then reads the few files of the tree (≈ 0.2 ms
   * of CPU) instead of every process's (≈ 2.5 ms). A process never moves into the tree, and a pid is not reused within
   * one phase (it would take a wrap of pid_max).
   */
  private readonly outside = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private rootStart = 0;
  private mainThreadStart = 0;

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.tracked.clear();
    this.outside.clear();
    const root = readStat(`/proc/${this.rootPid}/stat`)!;
    this.rootStart = root.own + root.children;
    this.mainThreadStart = readStat(`/proc/${this.rootPid}/task/${this.rootPid}/stat`)!.own;
    this.poll(true);
    this.timer = setInterval(() => this.poll(false), this.intervalMs);
  }

  stop(): PhaseCpu {
    clearInterval(this.timer);
    const running = this.poll(false);
    const root = readStat(`/proc/${this.rootPid}/stat`)!;
    const mainThread = readStat(`/proc/${this.rootPid}/task/${this.rootPid}/stat`)!.own;
    let totalTicks = root.own + root.children - this.rootStart;
    for (const [key, stat] of running)
      totalTicks += stat.own + stat.children - this.tracked.get(key)!.baselineWithChildren;
    const byClass = new Map<string, { processes: number; ticks: number }>();
    let attributed = 0;
    for (const { kind, baseline, latest } of this.tracked.values()) {
      const entry = byClass.get(kind) ?? { processes: 0, ticks: 0 };
      entry.processes++;
      entry.ticks += latest - baseline;
      attributed += latest - baseline;
      byClass.set(kind, entry);
    }
    const seconds = (ticks: number) => ticks / TICKS_PER_SECOND;
    return {
      byClass: new Map(
        [...byClass].map(([kind, { processes, ticks }]) => [kind, { processes, seconds: seconds(ticks) }] as const),
      ),
      serviceMainThread: seconds(mainThread - this.mainThreadStart),
      total: seconds(totalTicks),
      notAttributed: seconds(totalTicks - attributed),
    };
  }

  /**
   * Reads the stat of every process not yet found outside the tree, and updates the root and its descendants. A
   * process seen at the phase's start has its CPU then as baseline; one first seen later started during the phase
   * (baseline 0). Returns the stats of the descendants running now (not the root), keyed like `tracked`.
   */
  private poll(atStart: boolean): Map<string, Stat> {
    const stats = new Map<number, Stat>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || this.outside.has(Number(name))) continue;
      const stat = readStat(`/proc/${name}/stat`);
      if (stat) stats.set(Number(name), stat);
    }
    const inTree = new Map<number, boolean>([[this.rootPid, true]]);
    const inRootTree = (pid: number): boolean => {
      const known = inTree.get(pid);
      if (known !== undefined) return known;
      const parent = stats.get(pid)?.ppid ?? 0;
      const result = parent > 1 && inRootTree(parent);
      inTree.set(pid, result);
      return result;
    };
    const running = new Map<string, Stat>();
    for (const [pid, stat] of stats) {
      if (!inRootTree(pid)) {
        this.outside.add(pid);
        continue;
      }
      const key = `${pid}@${stat.startTime}`;
      if (pid !== this.rootPid) running.set(key, stat);
      const known = this.tracked.get(key);
      if (known) {
        known.latest = stat.own;
        // A command line changes at exec after fork: a child first seen as a copy of its parent is classified again.
        if (known.kind.startsWith('other')) known.kind = classify(pid) ?? known.kind;
      } else {
        this.tracked.set(key, {
          kind: pid === this.rootPid ? 'service' : (classify(pid) ?? 'other (unknown)'),
          baseline: atStart ? stat.own : 0,
          latest: stat.own,
          baselineWithChildren: atStart ? stat.own + stat.children : 0,
        });
      }
    }
    return running;
  }
}
