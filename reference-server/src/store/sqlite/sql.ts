/**
 * Small SQL helpers for the SQLite store: cached prepared statements, transactions and statement text
 * built from a record's parameter names (so column lists are written once, in `rows.ts`).
 */
import type { DatabaseSync, SQLInputValue, StatementResultingChanges, StatementSync } from 'node:sqlite';

/** Named statement parameters. */
export type Params = Record<string, SQLInputValue>;

/** Wraps a database with a statement cache; preparing once per SQL text keeps hot paths cheap. */
export class Sql {
  readonly #statements = new Map<string, StatementSync>();
  /** The INSERT text last built per table and mode, with the columns it was built for. */
  readonly #inserts = new Map<string, { columns: string[]; text: string }>();

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

  /**
   * Inserts `params` as one row of `table`, its keys naming the columns. The values are bound by
   * position: node:sqlite binds a named parameter by looking its name up in the statement, which cost
   * ≈ 5 µs of a session insert's ≈ 21 (9 columns; `bench/PROFILE.md`, fourth round).
   */
  insert(table: string, params: Params, mode: 'insert' | 'upsert'): StatementResultingChanges {
    const columns = Object.keys(params);
    const key = `${mode} ${table}`;
    let built = this.#inserts.get(key);
    if (!built || !sameColumns(built.columns, columns)) {
      built = { columns, text: insertSql(table, params, mode) };
      this.#inserts.set(key, built);
    }
    return this.statement(built.text).run(...Object.values(params));
  }

  /** Runs `fn` in one write transaction: all of it is committed, or none of it. */
  transaction<T>(fn: () => T): T {
    // Prepared once like any statement: `exec` would parse the text again for every transaction, and the
    // group commit of session inserts runs one per event-loop turn under load.
    this.statement('BEGIN IMMEDIATE').run();
    try {
      const result = fn();
      this.statement('COMMIT').run();
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

/**
 * `INSERT INTO table (a, b) VALUES (?, ?)` for `params`' keys in their order (bind the values by position,
 * in the same order: {@link Sql.insert}), optionally replacing a row with the same primary key.
 */
export function insertSql(table: string, params: Params, mode: 'insert' | 'upsert'): string {
  const columns = Object.keys(params);
  const verb = mode === 'upsert' ? 'INSERT OR REPLACE' : 'INSERT';
  return `${verb} INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}

/** `UPDATE table SET a = $a, … WHERE key = $key`. */
export function updateSql(table: string, params: Params, key: string): string {
  const assignments = Object.keys(params)
    .filter((c) => c !== key)
    .map((c) => `${c} = $${c}`);
  return `UPDATE ${table} SET ${assignments.join(', ')} WHERE ${key} = $${key}`;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((column, i) => column === b[i]);
}

/** True when `error` is SQLite refusing a write because of a PRIMARY KEY or UNIQUE constraint. */
export function isUniqueViolation(error: unknown): boolean {
  // SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067), the extended result codes.
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return code === 1555 || code === 2067;
}
