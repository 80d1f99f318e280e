/**
 * Per-caller admission (MAX_REQUESTS_PER_USER): each caller has at most `perCaller` requests being served; more wait in
 * that caller's own queue, in order. One user firing fifty heavy listings at once then occupies the service like a user
 * firing a few, and everyone else's requests go through beside them. A queue longer than `maxQueued` is refused (429).
 */
export class CallerGate {
  private readonly callers = new Map<string, { running: number; queue: (() => void)[] }>();

  constructor(
    private readonly perCaller: number,
    private readonly maxQueued: number,
  ) {}

  /** The release of an admitted request, or undefined when the caller's queue is full. */
  async enter(caller: string): Promise<(() => void) | undefined> {
    let state = this.callers.get(caller);
    if (!state) {
      state = { running: 0, queue: [] };
      this.callers.set(caller, state);
    }
    if (state.running >= this.perCaller) {
      if (state.queue.length >= this.maxQueued) return undefined;
      await new Promise<void>((resolve) => state.queue.push(resolve));
    }
    state.running += 1;
    return this.releaser(caller, state);
  }

  private releaser(caller: string, state: { running: number; queue: (() => void)[] }): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.running -= 1;
      const next = state.queue.shift();
      if (next) next();
      else if (state.running === 0) this.callers.delete(caller);
    };
  }
}
