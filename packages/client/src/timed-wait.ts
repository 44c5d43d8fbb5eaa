/**
 * A wait for an outcome that arrives as a separate server message, with a deadline: a publisher waits
 * for the server's `created` of its stream, a subscriber for its media to connect. The outcome can come
 * before the request that causes it is answered (fast servers), so the wait is started before the
 * request is sent and settled from wherever the outcome is learned; one class so both behave alike.
 */

/** One pending wait at a time; see the file comment. */
export class TimedWait {
  #pending: {
    resolve: () => void;
    reject: (error: Error) => void;
    timer: ReturnType<typeof setTimeout>;
  } | null = null;

  /** Whether a wait is pending (started, neither settled nor timed out). */
  get pending(): boolean {
    return this.#pending !== null;
  }

  /**
   * Starts waiting; the promise rejects with `timeoutError()` after `timeoutMs` unless settled before.
   * A rejection before anyone awaits the promise is not reported as unhandled.
   */
  start(timeoutMs: number, timeoutError: () => Error): Promise<void> {
    const outcome = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        reject(timeoutError());
      }, timeoutMs);
      this.#pending = { resolve, reject, timer };
    });
    // The outcome may settle before the caller awaits it (fast servers); keep it from being reported unhandled.
    outcome.catch(() => {});
    return outcome;
  }

  /** Ends the wait: resolved with `null`, rejected with an error. Does nothing when nothing waits. */
  settle(error: Error | null): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve();
  }
}
