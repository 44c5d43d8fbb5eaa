import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSqlite } from './load.js';
import { dataVersionReader } from './project-cache.js';

describe('dataVersionReader', () => {
  let dir: string;
  let ours: DatabaseSync;
  let theirs: DatabaseSync;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-data-version-'));
    const { DatabaseSync } = loadSqlite();
    ours = new DatabaseSync(join(dir, 'db.sqlite'));
    ours.exec('PRAGMA journal_mode = WAL');
    ours.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    theirs = new DatabaseSync(join(dir, 'db.sqlite'));
  });
  afterEach(() => {
    ours.close();
    theirs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("changes when another connection commits, not on the connection's own commits", () => {
    const read = dataVersionReader(ours);
    const initial = read();
    expect(initial).toBeGreaterThan(0);
    ours.exec('INSERT INTO t (id) VALUES (1)');
    expect(read()).toBe(initial);
    theirs.exec('INSERT INTO t (id) VALUES (2)');
    const afterTheirs = read();
    expect(afterTheirs).not.toBe(initial);
    expect(read()).toBe(afterTheirs);
  });

  it('reads the same value from a row object where Node lacks setReturnArrays', () => {
    // Node 22.13–22.15 statements have no setReturnArrays: hide it to take that path.
    const withoutArrays = {
      prepare: (text: string) => {
        const statement = ours.prepare(text);
        return { get: () => statement.get() };
      },
    } as unknown as DatabaseSync;
    const read = dataVersionReader(withoutArrays);
    const fast = dataVersionReader(ours);
    expect(read()).toBe(fast());
    theirs.exec('INSERT INTO t (id) VALUES (3)');
    expect(read()).toBe(fast());
    expect(read()).toBeGreaterThan(0);
  });
});
