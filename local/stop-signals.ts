/**
 * One Ctrl-C can arrive more than once: the terminal signals the whole foreground process group, and `npm start` and
 * tsx relay the signal to this process again a few milliseconds later. Repeats within this window are the same press.
 */
const REPEAT_WINDOW_MS = 1000;

export interface StopSignalOptions {
  /** The graceful stop; the process exits 0 when it resolves, 1 when it fails. */
  stop(): Promise<void>;
  log(message: string): void;
  exit(code: number): void;
  now?: () => number;
}

/**
 * The SIGINT / SIGTERM handler of `npm start`: the first signal starts the graceful stop; a signal during the stop,
 * once the repeat window has passed (a second, deliberate Ctrl-C), forces the exit.
 */
export function createStopSignalHandler(options: StopSignalOptions): (signal: NodeJS.Signals) => void {
  const now = options.now ?? Date.now;
  let stoppingSince: number | undefined;
  return (signal) => {
    if (stoppingSince !== undefined) {
      if (now() - stoppingSince < REPEAT_WINDOW_MS) return;
      options.log(`${signal} again: exiting now, without waiting for the stop`);
      options.exit(130);
      return;
    }
    stoppingSince = now();
    options.log(
      `${signal}: stopping (running operations are stopped and recovered at the next start; Ctrl-C again to exit at once)`,
    );
    // The exit waits for the repeat window to pass: a relayed repeat of this press arriving while the process is
    // exiting would meet no handler and kill it by the signal (exit code null instead of 0).
    const exitAfterWindow = (code: number) =>
      setTimeout(() => options.exit(code), Math.max(0, REPEAT_WINDOW_MS - (now() - stoppingSince!)));
    options.stop().then(
      () => exitAfterWindow(0),
      (error: unknown) => {
        options.log(`stop failed: ${String(error)}`);
        exitAfterWindow(1);
      },
    );
  };
}
