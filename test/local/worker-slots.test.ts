import { describe, expect, it } from 'vitest';
import { WorkerSlots } from '../../local/workflows/worker-slots';

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('WorkerSlots (MAX_WORKER_PROCESSES)', () => {
  it('runs at most `capacity` tasks at once and starts the waiting ones first come first served', async () => {
    const slots = new WorkerSlots(2);
    const never = new AbortController().signal;
    const started: number[] = [];
    const releases = new Map<number, () => void>();
    for (const task of [1, 2, 3, 4])
      void slots.acquire(never).then((release) => {
        started.push(task);
        releases.set(task, release);
      });
    await settled();
    expect(started).toEqual([1, 2]);
    releases.get(2)!();
    releases.get(2)!(); // a second release of the same slot frees nothing more
    await settled();
    expect(started).toEqual([1, 2, 3]);
    releases.get(1)!();
    await settled();
    expect(started).toEqual([1, 2, 3, 4]);
    expect(slots.available).toBe(false);
  });

  it('drops a task from the queue when its execution is stopped while it waits', async () => {
    const slots = new WorkerSlots(1);
    const first = await slots.acquire(new AbortController().signal);
    const stop = new AbortController();
    const stopped = slots.acquire(stop.signal);
    const next = slots.acquire(new AbortController().signal);
    stop.abort();
    await expect(stopped).rejects.toThrow('stopped while waiting for a worker slot');
    first();
    await expect(next).resolves.toBeTypeOf('function');
  });
});
