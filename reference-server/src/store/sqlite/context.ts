/**
 * What the SQLite sub-stores share: the database, the write batch, the exact caches and the clock, and
 * the small helpers every query uses. One context per open store.
 */
import { StoreError } from '../errors.js';
import type { CallbackListCache, ProjectCache } from './project-cache.js';
import type { Row } from './rows.js';
import type { Sql } from './sql.js';
import type { WriteBatch } from './write-batch.js';

/** Query parameters, by name (`$name` in the SQL). */
type Params = Record<string, string | number>;

/** The state and helpers of one open SQLite store. */
export class SqliteContext {
  /** Set when the store closes: every later call fails with `StoreError.closed()`. */
  closed = false;

  constructor(
    readonly sql: Sql,
    readonly batch: WriteBatch,
    readonly projectCache: ProjectCache,
    readonly callbackCache: CallbackListCache,
    /** The clock deciding whether idempotency records and JWT IDs have expired. */
    readonly now: () => number,
  ) {}

  /** Throws when the store is closed. */
  assertOpen(): void {
    if (this.closed) throw StoreError.closed();
  }

  /** The database, for any statement: queued writes are committed first, so every statement sees them. */
  open(): Sql {
    this.assertOpen();
    if (this.batch.pending > 0) this.batch.flush();
    return this.sql;
  }

  /** The first row of a query, mapped, or null. */
  one<T>(text: string, params: Params, map: (row: Row) => T): T | null {
    const row = this.open().statement(text).get(params);
    return row ? map(row) : null;
  }

  /** Every row of a query, mapped. */
  all<T>(text: string, params: Params, map: (row: Row) => T): T[] {
    return this.open().statement(text).all(params).map(map);
  }

  /** The `n` column of a `SELECT COUNT(*) AS n` query. */
  count(text: string, params: Params): number {
    const row = this.open().statement(text).get(params);
    return typeof row?.n === 'number' ? row.n : 0;
  }
}
