/**
 * Group commit for the SQLite store's hot single-statement writes (session inserts, JWT ID claims).
 *
 * A commit costs far more than the insert it commits: SQLite appends every page the transaction touched
 * to the WAL (a `write(2)` of a 4 KiB frame or more per page), and with `durability: 'full'` it fsyncs.
 * Writes queued during one turn of the event loop — the requests that arrived together — are therefore
 * run in one transaction after the turn, and each caller's promise settles only once that transaction
 * has committed. So a resolved write is exactly as durable as before (in the WAL; fsynced too with
 * `full`), just shared with its neighbours.
 *
 * The batch waits one more turn before it commits ({@link EXTRA_TURNS}): under concurrent load the
 * requests answered together come back together, but over two poll phases, so a batch closed after the
 * first turn holds most of them and the rest pay for a commit of their own. Waiting one turn (one more
 * `epoll_wait` that does not block, microseconds) lets them share it: at 10 connections the mean batch
 * grew from 7.8 to 9.9 writes and session creation cost ≈ 1–2 µs less CPU (`bench/PROFILE.md`, seventh
 * round). A batch of {@link MAX_WAITING_JOBS} commits without waiting.
 *
 * Each job must be one SQL statement, or otherwise leave nothing behind when it throws: a job that throws
 * (say, a unique-key conflict) fails alone — SQLite undoes just that statement — while the others commit.
 * If the transaction itself cannot begin or commit, every job of the batch fails with that error.
 */
import type { Sql } from './sql.js';

/** Event-loop turns a batch waits for more writes after the turn its first write came in. */
export const EXTRA_TURNS = 1;
/** A batch this large commits at the end of the current turn instead of waiting for more. */
export const MAX_WAITING_JOBS = 64;

interface Job {
  run(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Queues writes and commits them together. */
export class WriteBatch {
  readonly #sql: Sql;
  #jobs: Job[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  /** Turns the current batch has waited past its first one. */
  #turnsWaited = 0;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** True when the database says the batch's transaction is gone (Node ≥ 22.16 can tell). */
  #transactionLost(): boolean {
    const { isTransaction } = this.#sql.db as { isTransaction?: boolean };
    return isTransaction === false;
  }

  /** Writes waiting for their commit. */
  get pending(): number {
    return this.#jobs.length;
  }

  /** Queues `run` (called synchronously inside the batch's transaction); resolves with its result once committed. */
  enqueue<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#turnsWaited = 0;
        this.#scheduled = setImmediate(this.#atTurnEnd);
      }
    });
  }

  /** Runs after each turn while writes are queued: waits another turn, or commits. */
  readonly #atTurnEnd = (): void => {
    this.#scheduled = null;
    if (this.#turnsWaited < EXTRA_TURNS && this.#jobs.length < MAX_WAITING_JOBS) {
      this.#turnsWaited++;
      this.#scheduled = setImmediate(this.#atTurnEnd);
      return;
    }
    this.flush();
  };

  /**
   * Commits every queued write now. The store calls it before any other statement, so a later read or
   * write always sees the queued ones (and a project deletion removes their rows too).
   */
  flush(): void {
    if (this.#scheduled) {
      clearImmediate(this.#scheduled);
      this.#scheduled = null;
    }
    const jobs = this.#jobs;
    if (jobs.length === 0) return;
    this.#jobs = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.#sql.transaction(() => {
        for (const job of jobs) {
          try {
            outcomes.push({ ok: true, value: job.run() });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
            // Some errors (a full disk, I/O errors) make SQLite roll the whole transaction back; the jobs
            // after it would then commit on their own, one by one. Fail the batch instead.
            if (this.#transactionLost()) throw error;
          }
        }
      });
    } catch (error) {
      // Nothing of the batch was committed.
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i] as { ok: boolean; value: unknown };
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.value);
    });
  }
}
