/**
 * When and how often the client tries to re-open a dropped signaling socket. The policy answers one
 * question per attempt: how long to wait before it, or `null` to give up (then the session ends with
 * `networkDisconnected`).
 */

/** What a policy knows when it decides on the next attempt. */
export interface ReconnectContext {
  /** How many attempts have failed so far (0 before the first). */
  retryCount: number;
  /** Milliseconds since the socket dropped. */
  elapsedMs: number;
}

/** Decides the delay before each reconnection attempt. */
export interface ReconnectPolicy {
  /** The delay before the next attempt, in ms, or `null` to stop trying. */
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

/** Options of {@link DefaultReconnectPolicy}. */
export interface DefaultReconnectPolicyOptions {
  /** Give up after this long, in ms. Default 30000: the gateway's reconnection window. */
  maxDurationMs?: number;
  /** Delays of the first attempts, in ms; the last one repeats. Default `[0, 300, 1000, 2000, 4000]`. */
  delaysMs?: readonly number[];
}

/**
 * The default policy: retry at once (OpenTok.js reopens within about 20 ms), then back off to every
 * 4 s, and stop when the gateway's 30 s window is over.
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  readonly #maxDurationMs: number;
  readonly #delaysMs: readonly number[];

  constructor(options: DefaultReconnectPolicyOptions = {}) {
    this.#maxDurationMs = options.maxDurationMs ?? 30_000;
    this.#delaysMs = options.delaysMs ?? [0, 300, 1000, 2000, 4000];
    if (this.#delaysMs.length === 0) throw new RangeError('delaysMs must not be empty');
  }

  nextRetryDelayInMs({ retryCount, elapsedMs }: ReconnectContext): number | null {
    const delay = this.#delaysMs[Math.min(retryCount, this.#delaysMs.length - 1)] as number;
    return elapsedMs + delay > this.#maxDurationMs ? null : delay;
  }
}
