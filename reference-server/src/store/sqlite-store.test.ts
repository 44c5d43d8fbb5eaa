import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSqlite } from './sqlite/load.js';
import { migrations } from './sqlite/migrations.js';
import { openSqliteStore } from './sqlite-store.js';
import { describeStoreContract } from './store.contract.js';
import { anArchive, aProject, aSession } from './store.fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshFile = (): string => join(dir, `store-${++counter}.db`);

describeStoreContract('sqlite store', ({ now }) => openSqliteStore(freshFile(), { now }));

describe('sqlite store', () => {
  it('keeps every record across close and reopen', async () => {
    const file = freshFile();
    const first = openSqliteStore(file);
    await first.projects.create(aProject());
    await first.sessions.create(aSession());
    await first.archives.put(anArchive());
    await first.close();

    const second = openSqliteStore(file);
    try {
      expect(await second.projects.get(aProject().apiKey)).toEqual(aProject());
      expect(await second.sessions.get(aSession().sessionId)).toEqual(aSession());
      expect(await second.archives.get(anArchive().applicationId, anArchive().id)).toEqual(anArchive());
    } finally {
      await second.close();
    }
  });

  it('runs in WAL mode and records the applied migrations', async () => {
    const file = freshFile();
    await openSqliteStore(file).close();
    const db = new (loadSqlite().DatabaseSync)(file);
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      const applied = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
      expect(applied.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    } finally {
      db.close();
    }
  });

  it('reopens an up-to-date database without re-running migrations', async () => {
    const file = freshFile();
    await openSqliteStore(file).close();
    await openSqliteStore(file).close();
    const db = new (loadSqlite().DatabaseSync)(file);
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({
        n: migrations.length,
      });
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const file = freshFile();
    await openSqliteStore(file).close();
    const db = new (loadSqlite().DatabaseSync)(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('future');
    db.close();
    expect(() => openSqliteStore(file)).toThrow(/version 999/);
  });

  it('keeps records with either durability setting and refuses an unknown one', async () => {
    for (const durability of ['normal', 'full'] as const) {
      const file = freshFile();
      const first = openSqliteStore(file, { durability });
      await first.projects.create(aProject());
      await first.close();
      const second = openSqliteStore(file, { durability });
      expect(await second.projects.get(aProject().applicationId)).toEqual(aProject());
      await second.close();
    }
    // @ts-expect-error: a value from untyped configuration must still be refused.
    expect(() => openSqliteStore(freshFile(), { durability: 'off' })).toThrow(/durability must be/);
  });

  it('works on a throw-away in-memory database', async () => {
    const store = openSqliteStore(':memory:');
    await store.projects.create(aProject());
    expect(await store.projects.list()).toHaveLength(1);
    await store.close();
  });
});
