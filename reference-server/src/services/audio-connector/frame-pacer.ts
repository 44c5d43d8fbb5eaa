/**
 * Calls a function every `periodMs` on a fixed schedule: tick `n` is due at `start + n × periodMs`, so
 * timer lateness never accumulates into drift (a plain `setInterval` drifts). A late timer runs the
 * overdue ticks at once, so the number of frames matches the time elapsed; after a stall longer than
 * `maxCatchUp` periods (a suspended process) the schedule restarts from now instead of flooding.
 */

/** Options of {@link FramePacer}. */
export interface FramePacerOptions {
  /** The period, in ms (20 for 20 ms audio frames). */
  periodMs: number;
  /** Called once per tick, with the tick's index (0, 1, 2, …). */
  onTick: (index: number) => void;
  /** The most overdue ticks run at once before the schedule restarts. Default 10. */
  maxCatchUp?: number;
  /** A monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
}

/** See the file comment. */
export class FramePacer {
  readonly #periodMs: number;
  readonly #onTick: (index: number) => void;
  readonly #maxCatchUp: number;
  readonly #now: () => number;
  #start = 0;
  /** Ticks since `#start`. */
  #scheduled = 0;
  #index = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: FramePacerOptions) {
    if (!(options.periodMs > 0)) throw new RangeError('periodMs must be positive');
    this.#periodMs = options.periodMs;
    this.#onTick = options.onTick;
    this.#maxCatchUp = options.maxCatchUp ?? 10;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Starts ticking; the first tick is one period from now. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#start = this.#now();
    this.#scheduled = 0;
    this.#arm();
  }

  /** Stops ticking. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    const due = this.#start + (this.#scheduled + 1) * this.#periodMs;
    this.#timer = setTimeout(() => this.#run(), Math.max(0, due - this.#now()));
  }

  #run(): void {
    if (!this.#running) return;
    const now = this.#now();
    let overdue = Math.floor((now - this.#start) / this.#periodMs) - this.#scheduled;
    if (overdue > this.#maxCatchUp) {
      this.#start = now - this.#periodMs;
      this.#scheduled = 0;
      overdue = 1;
    }
    for (let i = 0; i < overdue && this.#running; i++) {
      this.#scheduled++;
      this.#onTick(this.#index++);
    }
    if (this.#running) this.#arm();
  }
}
