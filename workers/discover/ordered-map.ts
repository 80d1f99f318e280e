/**
 * Maps `source` through `work` with at most `concurrency` items in flight and yields the results in source order, pulling
 * the next item only when a slot is free (so a source that materialises items, like archive entries on disk, stays
 * bounded; p-limit would queue the whole source up front). When the consumer stops or anything fails, waits for the work in flight before returning or throwing.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T>,
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const inFlight: Promise<R>[] = [];
  let exhausted = false;
  let index = 0;
  try {
    for (;;) {
      while (!exhausted && inFlight.length < concurrency) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const pending = work(next.value, index);
        index += 1;
        pending.catch(() => undefined); // observed when its turn comes; avoids an unhandled rejection meanwhile
        inFlight.push(pending);
      }
      const head = inFlight.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    await Promise.allSettled(inFlight);
    if (!exhausted) await iterator.return?.();
  }
}
