import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSqlite } from './sqlite/load.js';
import { migrations } from './sqlite/migrations.js';
import { openSqliteStore } from './sqlite-store.js';
import { describeStoreContract } from './store.contract.js';
import { anArchive, aProject, aSession } from './store.fixtures.js';
import type { ProjectRecord } from './types.js';

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

describe('sqlite store group commit and project cache', () => {
  it('commits concurrent session inserts together, failing only a duplicate', async () => {
    const file = freshFile();
    const store = openSqliteStore(file);
    const ids = ['s-1', 's-2', 's-1', 's-3'];
    const outcomes = await Promise.allSettled(
      ids.map((sessionId) => store.sessions.create(aSession({ sessionId }))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ reason: 'conflict' });
    await store.close();
    const reopened = openSqliteStore(file);
    try {
      for (const sessionId of ['s-1', 's-2', 's-3'])
        expect(await reopened.sessions.get(sessionId)).not.toBeNull();
    } finally {
      await reopened.close();
    }
  });

  it('lets any later call see a queued insert before its commit was due', async () => {
    const store = openSqliteStore(freshFile());
    try {
      const created = store.sessions.create(aSession({ sessionId: 's-queued' }));
      expect(await store.sessions.get('s-queued')).not.toBeNull();
      await created;
    } finally {
      await store.close();
    }
  });

  it('commits queued inserts on close', async () => {
    const file = freshFile();
    const store = openSqliteStore(file);
    const created = store.sessions.create(aSession({ sessionId: 's-at-close' }));
    await store.close();
    await created;
    const reopened = openSqliteStore(file);
    expect(await reopened.sessions.get('s-at-close')).not.toBeNull();
    await reopened.close();
  });

  it('accepts a JWT ID once, even when two claims arrive together', async () => {
    const store = openSqliteStore(freshFile(), { now: () => 1_000 });
    try {
      const claims = await Promise.all([
        store.jtis.claim('app', 'jti-1', 60_000),
        store.jtis.claim('app', 'jti-1', 60_000),
        store.jtis.claim('app', 'jti-2', 60_000),
      ]);
      expect(claims).toEqual([true, false, true]);
    } finally {
      await store.close();
    }
  });

  it('sees a project changed by another process (the CLI) within a millisecond', async () => {
    const file = freshFile();
    let clock = 0;
    const server = openSqliteStore(file, { externalChanges: { now: () => clock } });
    const cli = openSqliteStore(file);
    try {
      await server.projects.create(aProject());
      expect((await server.projects.get(aProject().apiKey))?.apiSecret).toBe(aProject().apiSecret);
      await cli.projects.update({ ...aProject(), apiSecret: 'rotated-secret' });
      // Within the same millisecond the server still answers from its cache…
      expect((await server.projects.get(aProject().apiKey))?.apiSecret).toBe(aProject().apiSecret);
      // …and from the next one on, never again.
      clock += 1;
      expect((await server.projects.get(aProject().apiKey))?.apiSecret).toBe('rotated-secret');
      expect((await server.projects.get(aProject().applicationId))?.apiSecret).toBe('rotated-secret');
      await cli.projects.delete(aProject().applicationId);
      clock += 1;
      expect(await server.projects.get(aProject().apiKey)).toBeNull();
    } finally {
      await cli.close();
      await server.close();
    }
  });

  it("caches a project's callbacks exactly: its own writes at once, another process's within a millisecond", async () => {
    const file = freshFile();
    let clock = 0;
    const server = openSqliteStore(file, { externalChanges: { now: () => clock } });
    const cli = openSqliteStore(file);
    const { applicationId } = aProject();
    const callback = (id: string, createdAt: number) => ({
      id,
      applicationId,
      group: 'archive',
      event: `event-${id}`,
      url: `https://example.test/${id}`,
      createdAt,
    });
    try {
      await server.projects.create(aProject());
      expect(await server.callbacks.list(applicationId)).toEqual([]);
      await server.callbacks.create(callback('a', 1));
      expect((await server.callbacks.list(applicationId)).map((c) => c.id)).toEqual(['a']);
      // Copies: a caller changing what it got changes nothing stored or cached.
      const listed = await server.callbacks.list(applicationId);
      (listed[0] as { url: string }).url = 'https://mutated.test/';
      listed.push(callback('x', 9));
      expect(await server.callbacks.list(applicationId)).toEqual([callback('a', 1)]);

      await cli.callbacks.create(callback('b', 2));
      expect((await server.callbacks.list(applicationId)).map((c) => c.id)).toEqual(['a']);
      clock += 1;
      expect((await server.callbacks.list(applicationId)).map((c) => c.id)).toEqual(['a', 'b']);

      expect(await server.callbacks.delete(applicationId, 'a')).toBe(true);
      expect((await server.callbacks.list(applicationId)).map((c) => c.id)).toEqual(['b']);
      await server.projects.delete(applicationId);
      expect(await server.callbacks.list(applicationId)).toEqual([]);
    } finally {
      await cli.close();
      await server.close();
    }
  });

  it('sees its own project updates at once, and hands out copies', async () => {
    const store = openSqliteStore(freshFile());
    try {
      await store.projects.create(aProject());
      const first = (await store.projects.get(aProject().apiKey)) as ProjectRecord;
      first.callbackUrls.archive = 'https://mutated.test/';
      first.name = 'mutated';
      expect(await store.projects.get(aProject().apiKey)).toEqual(aProject());
      await store.projects.update({ ...aProject(), status: 'SUSPENDED' });
      expect((await store.projects.get(aProject().apiKey))?.status).toBe('SUSPENDED');
    } finally {
      await store.close();
    }
  });
});
