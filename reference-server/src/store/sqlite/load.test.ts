import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSqlite, withoutSqliteWarning } from './load.js';

describe('withoutSqliteWarning', () => {
  const original = process.emitWarning;
  afterEach(() => {
    process.emitWarning = original;
  });

  it('drops only the SQLite ExperimentalWarning and restores emitWarning afterwards', () => {
    const seen = vi.fn();
    process.emitWarning = seen as unknown as typeof process.emitWarning;
    const patched = process.emitWarning;
    const result = withoutSqliteWarning(() => {
      process.emitWarning(
        'SQLite is an experimental feature and might change at any time',
        'ExperimentalWarning',
      );
      process.emitWarning('SQLite is an experimental feature', { type: 'ExperimentalWarning' });
      process.emitWarning('Fetch is experimental', 'ExperimentalWarning');
      process.emitWarning('SQLite disk is slow', 'Warning');
      return 42;
    });
    expect(result).toBe(42);
    expect(seen.mock.calls.map((call) => call[0])).toEqual(['Fetch is experimental', 'SQLite disk is slow']);
    expect(process.emitWarning).toBe(patched);
  });

  it('restores emitWarning when the wrapped function throws', () => {
    expect(() =>
      withoutSqliteWarning(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(process.emitWarning).toBe(original);
  });
});

describe('loadSqlite', () => {
  it('returns the node:sqlite module', () => {
    const { DatabaseSync } = loadSqlite();
    const db = new DatabaseSync(':memory:');
    expect(db.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
    db.close();
  });
});
