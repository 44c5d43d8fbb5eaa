import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataVersionReader, ExternalChanges } from './external-changes.js';
import { loadSqlite } from './load.js';

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

describe('ExternalChanges', () => {
  it('reads the data version at most once per window, and again when the clock goes back', () => {
    let clock = 100;
    let reads = 0;
    let version = 7;
    const changes = new ExternalChanges(
      () => {
        reads++;
        return version;
      },
      { now: () => clock },
    );
    expect(changes.version()).toBe(7);
    version = 8;
    clock += 0.5;
    expect(changes.version()).toBe(7);
    expect(reads).toBe(1);
    clock += 0.5;
    expect(changes.version()).toBe(8);
    expect(reads).toBe(2);
    version = 9;
    clock -= 10;
    expect(changes.version()).toBe(9);
  });

  it('reads every time with a window of 0, and refuses a bad window', () => {
    let reads = 0;
    const changes = new ExternalChanges(() => ++reads, { windowMs: 0, now: () => 5 });
    expect(changes.version()).toBe(1);
    expect(changes.version()).toBe(2);
    expect(() => new ExternalChanges(() => 1, { windowMs: -1 })).toThrow(/windowMs/);
    expect(() => new ExternalChanges(() => 1, { windowMs: Number.NaN })).toThrow(/windowMs/);
  });
});
