/**
 * What CLI commands touch of the outside world, passed in so commands can be tested without a process.
 */

/** A writable text stream. */
export interface TextOut {
  write(text: string): unknown;
}

/** The process-facing side of a CLI run. */
export interface CliIo {
  out: TextOut;
  err: TextOut;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * Resolves with the first of `signals` the process receives. Later deliveries are ignored (a process
   * group kill through `pnpm`/`tsx` can deliver the same signal twice) so they cannot cut a drain short.
   */
  waitForSignal(signals: readonly NodeJS.Signals[]): Promise<NodeJS.Signals>;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    waitForSignal: (signals) =>
      new Promise((resolve) => {
        for (const signal of signals) process.on(signal, () => resolve(signal));
      }),
  };
}
