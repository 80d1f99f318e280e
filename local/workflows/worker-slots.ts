/**
 * The global cap on worker processes (MAX_WORKER_PROCESSES): every operation's tasks share it, first come first served,
 * so twenty operations at once queue instead of starting sixty processes and exhausting memory. A task whose execution
 * is stopped while it waits leaves the queue.
 */
export class WorkerSlots {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  /** Whether a task asking now starts at once. */
  get available(): boolean {
    return this.running < this.capacity && this.queue.length === 0;
  }

  /** Resolves with the slot's release once one is free; rejects when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(new Error('stopped while waiting for a worker slot'));
    if (this.available) {
      this.running += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.running += 1;
        resolve(this.releaser());
      };
      const onAbort = () => {
        const index = this.queue.indexOf(grant);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new Error('stopped while waiting for a worker slot'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      this.queue.shift()?.();
    };
  }
}
