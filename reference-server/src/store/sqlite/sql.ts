/**
 * Small SQL helpers for the SQLite store: cached prepared statements, transactions and statement text
 * built from a record's parameter names (so column lists are written once, in `rows.ts`).
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';

/** Named statement parameters. */
export type Params = Record<string, SQLInputValue>;

/** Wraps a database with a statement cache; preparing once per SQL text keeps hot paths cheap. */
export class Sql {
  readonly #statements = new Map<string, StatementSync>();

  constructor(readonly db: DatabaseSync) {}

  /** Returns the prepared statement for `sql`, preparing it on first use. */
  statement(sql: string): StatementSync {
    let prepared = this.#statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.#statements.set(sql, prepared);
    }
    return prepared;
  }

  /** Runs `fn` in one write transaction: all of it is committed, or none of it. */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      // SQLite may already have rolled back (e.g. on SQLITE_FULL); a second ROLLBACK would then throw
      // and hide the original error. (`db.isTransaction` would tell, but Node 22 gained it only in 22.16.)
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // Nothing left to roll back.
      }
      throw error;
    }
  }
}

/** `INSERT INTO table (a, b) VALUES ($a, $b)`, optionally replacing a row with the same primary key. */
export function insertSql(table: string, params: Params, mode: 'insert' | 'upsert'): string {
  const columns = Object.keys(params);
  const verb = mode === 'upsert' ? 'INSERT OR REPLACE' : 'INSERT';
  return `${verb} INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `$${c}`).join(', ')})`;
}

/** `UPDATE table SET a = $a, … WHERE key = $key`. */
export function updateSql(table: string, params: Params, key: string): string {
  const assignments = Object.keys(params)
    .filter((c) => c !== key)
    .map((c) => `${c} = $${c}`);
  return `UPDATE ${table} SET ${assignments.join(', ')} WHERE ${key} = $${key}`;
}

/** True when `error` is SQLite refusing a write because of a PRIMARY KEY or UNIQUE constraint. */
export function isUniqueViolation(error: unknown): boolean {
  // SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067), the extended result codes.
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return code === 1555 || code === 2067;
}
