/**
 * Deletes the HLS files of stopped broadcasts once their retention period is over: at start-up and then
 * once a minute (or once per retention period, when that is shorter).
 */
import { sweepExpired } from './hls-files.js';

/** The logging it does; a pino logger fits. */
export interface HlsRetentionLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** See the file comment. */
export class HlsRetention {
  readonly #workDirectory: string;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #logger: HlsRetentionLogger;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: {
    workDirectory: string;
    retentionMs: number;
    now: () => number;
    logger: HlsRetentionLogger;
  }) {
    this.#workDirectory = options.workDirectory;
    this.#retentionMs = options.retentionMs;
    this.#now = options.now;
    this.#logger = options.logger;
  }

  /** Deletes what has expired now, then keeps doing so periodically until {@link stop}. */
  async start(): Promise<void> {
    await this.sweep();
    clearInterval(this.#timer);
    this.#timer = setInterval(() => void this.sweep(), Math.min(60_000, this.#retentionMs));
    this.#timer.unref();
  }

  /** Stops the periodic clean-up. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** Deletes the directories of broadcasts whose retention is over. Never rejects. */
  async sweep(): Promise<void> {
    try {
      const removed = await sweepExpired(this.#workDirectory, this.#now(), this.#retentionMs);
      for (const id of removed)
        this.#logger.info({ broadcastId: id }, 'Deleted the expired HLS files of a broadcast');
    } catch (error) {
      this.#logger.error({ err: error }, 'Could not delete expired broadcast files');
    }
  }
}
