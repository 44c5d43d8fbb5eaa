/**
 * A pino destination that writes the lines of one event-loop turn together, in one call to its sink.
 *
 * pino's asynchronous destination (sonic-boom, `sync: false`) hands every write to libuv's thread pool: on
 * a busy server that is one `fs.write` request per line, and each one wakes a pool thread that takes the
 * core from the event loop — a context switch per request, ≈ 8 % of a session creation's CPU in a `perf`
 * profile (`bench/PROFILE.md`, fifth round). pino's synchronous destination makes one `write(2)` per line
 * instead. This destination collects the lines a turn logs and writes them once, when the turn's
 * immediates run (or at once when {@link TurnBatchedDestination} holds `maxPendingBytes`): a loaded server
 * answering ten requests per turn makes one write for ten lines, an idle one writes a line as soon as the
 * turn that logged it ends.
 *
 * The sink is written synchronously (for `process.stdout` on Linux: a file, a pipe and a terminal all
 * are), so the lines reach the OS in order, interleaved correctly with anything else written to it, and a
 * slow reader slows the server instead of growing a buffer without bound — what pino's default does, one
 * write per turn instead of per line. Lines still pending when the process exits are written by an `exit`
 * hook; only a SIGKILL loses them (the lines of the turn it interrupts).
 */

/** Where the batched lines go: `process.stdout`, or a file written with `fs.writeSync`. */
export interface LogSink {
  write(chunk: string): unknown;
}

/** Options of {@link TurnBatchedDestination}. */
export interface TurnBatchedDestinationOptions {
  /** Pending text (UTF-16 code units) that makes a write happen at once rather than at the turn's end. Default 64 KiB. */
  maxPendingLength?: number;
  /** Schedules the end-of-turn write; default `setImmediate`. Tests pass their own. */
  schedule?: (callback: () => void) => void;
  /** Whether to write pending lines when the process exits. Default true. */
  flushOnExit?: boolean;
  /**
   * Called when the end-of-turn write throws (the lines it held are dropped; nothing is left to throw
   * to). Default: a process warning naming the error, so a broken log sink is seen on standard error
   * without taking the server down.
   */
  onError?: (error: unknown) => void;
}

function warnOfLogWriteFailure(error: unknown): void {
  process.emitWarning(`Writing log lines failed: ${error instanceof Error ? error.message : String(error)}`, {
    code: 'PARLEY_LOG_WRITE',
  });
}

const DEFAULT_MAX_PENDING_LENGTH = 64 * 1024;

/** See the file comment. Implements pino's `DestinationStream` (`write`) and its optional `flushSync`/`flush`. */
export class TurnBatchedDestination {
  readonly #sink: LogSink;
  readonly #maxPendingLength: number;
  readonly #schedule: (callback: () => void) => void;
  readonly #onError: (error: unknown) => void;
  #pending = '';
  #scheduled = false;
  #closed = false;
  readonly #onExit = (): void => this.flushSync();
  readonly #endOfTurn = (): void => {
    this.#scheduled = false;
    try {
      this.flushSync();
    } catch (error) {
      this.#onError(error);
    }
  };

  constructor(sink: LogSink, options: TurnBatchedDestinationOptions = {}) {
    const maxPendingLength = options.maxPendingLength ?? DEFAULT_MAX_PENDING_LENGTH;
    if (!Number.isInteger(maxPendingLength) || maxPendingLength < 0) {
      throw new RangeError(`maxPendingLength must be a non-negative integer, got ${maxPendingLength}`);
    }
    this.#sink = sink;
    this.#maxPendingLength = maxPendingLength;
    this.#schedule = options.schedule ?? setImmediate;
    this.#onError = options.onError ?? warnOfLogWriteFailure;
    if (options.flushOnExit ?? true) process.on('exit', this.#onExit);
  }

  /** Queues one line (pino passes each line with its newline). After {@link close}, writes it at once. */
  write(line: string): void {
    if (this.#closed) {
      this.#sink.write(line);
      return;
    }
    this.#pending += line;
    if (this.#pending.length >= this.#maxPendingLength) {
      this.flushSync();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(this.#endOfTurn);
    }
  }

  /** Writes the pending lines now (a sink's error is thrown to the caller; the lines are dropped). */
  flushSync(): void {
    if (this.#pending === '') return;
    const chunk = this.#pending;
    // Cleared first: a sink that throws must not make the next flush write the same lines twice.
    this.#pending = '';
    this.#sink.write(chunk);
  }

  /** pino's `logger.flush(callback)`: writes the pending lines, then calls back. */
  flush(callback?: (error?: Error) => void): void {
    try {
      this.flushSync();
    } catch (error) {
      callback?.(error as Error);
      return;
    }
    callback?.();
  }

  /** Writes what is pending and stops batching: later lines are written as they come. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.flushSync();
    this.#closed = true;
    process.off('exit', this.#onExit);
  }
}
