import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSessionId } from '../../tokens/session-id.js';
import { openSqliteStore } from '../sqlite-store.js';
import { aProject, aSession } from '../store.fixtures.js';
import type { SessionRecord } from '../types.js';
import { loadSqlite } from './load.js';
import { migrate, migrations } from './migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-sessions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshFile = (): string => join(dir, `sessions-${++counter}.db`);

const project = aProject();
const OTHER_APP = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** A session whose ID is minted the way `POST /session/create` mints it. */
function minted(createdAt: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const sessionId = encodeSessionId({
    apiKey: project.apiKey,
    applicationId: project.applicationId,
    location: null,
    createdAt,
  });
  return aSession({ sessionId, applicationId: project.applicationId, createdAt, ...overrides });
}

/** Reads the database file beside the store, as another process would. */
function inspect<T>(
  file: string,
  read: (db: InstanceType<ReturnType<typeof loadSqlite>['DatabaseSync']>) => T,
): T {
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(file);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const planOf = (file: string, sql: string): string =>
  inspect(file, (db) =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all()
      .map((row) => String(row.detail))
      .join('; '),
  );

describe('sqlite sessions table (clustered by project and creation time)', () => {
  it('finds a minted session by primary key and any other through the partial index', async () => {
    const file = freshFile();
    const store = openSqliteStore(file);
    await store.projects.create(project);
    const regular = minted(1_764_000_000_123);
    // The fixture's ID names no application: it cannot be found by the primary key.
    const odd = aSession({ applicationId: project.applicationId, createdAt: 5 });
    // A minted ID stored under another project than the one it names.
    const elsewhere = minted(1_764_000_000_456, { applicationId: OTHER_APP });
    for (const session of [regular, odd, elsewhere]) await store.sessions.create(session);

    for (const session of [regular, odd, elsewhere]) {
      expect(await store.sessions.get(session.sessionId)).toEqual(session);
    }
    // Well-formed but never stored, and not a session ID at all.
    expect(await store.sessions.get(minted(1_764_000_000_789).sessionId)).toBeNull();
    expect(await store.sessions.get('not-a-session')).toBeNull();
    await store.close();

    const flags = inspect(file, (db) =>
      db.prepare('SELECT session_id, id_decodes FROM sessions ORDER BY created_at').all(),
    );
    expect(flags).toEqual([
      { session_id: odd.sessionId, id_decodes: 0 },
      { session_id: regular.sessionId, id_decodes: 1 },
      { session_id: elsewhere.sessionId, id_decodes: 0 },
    ]);
  });

  it('looks sessions up and deletes a project’s sessions without scanning the table', async () => {
    const file = freshFile();
    const store = openSqliteStore(file);
    await store.close();
    expect(
      planOf(
        file,
        "SELECT * FROM sessions WHERE application_id = 'a' AND created_at = 1 AND session_id = 'x'",
      ),
    ).toMatch(
      /^SEARCH sessions USING PRIMARY KEY \(application_id=\? AND created_at=\? AND session_id=\?\)$/,
    );
    expect(planOf(file, "SELECT * FROM sessions WHERE id_decodes = 0 AND session_id = 'x'")).toMatch(
      /^SEARCH sessions USING INDEX sessions_by_undecodable_id \(session_id=\?\)$/,
    );
    expect(planOf(file, "DELETE FROM sessions WHERE application_id = 'a'")).toMatch(
      /^SEARCH sessions USING PRIMARY KEY \(application_id=\?\)$/,
    );
  });

  it('refuses a second session with the same ID, minted or not', async () => {
    const store = openSqliteStore(freshFile());
    const regular = minted(1_764_000_000_000);
    const odd = aSession();
    await store.sessions.create(regular);
    await store.sessions.create(odd);
    await expect(store.sessions.create({ ...regular, mediaMode: 'relayed' })).rejects.toMatchObject({
      reason: 'conflict',
    });
    await expect(store.sessions.create({ ...odd, createdAt: odd.createdAt + 1 })).rejects.toMatchObject({
      reason: 'conflict',
    });
    expect(await store.sessions.get(regular.sessionId)).toEqual(regular);
    expect(await store.sessions.get(odd.sessionId)).toEqual(odd);
    await store.close();
  });

  it('moves the sessions of a version-2 database into the clustered table, every one still found', async () => {
    const file = freshFile();
    const regular = minted(1_764_000_000_000, { mediaMode: 'relayed', e2ee: true, archiveName: 'n' });
    const odd = aSession({ applicationId: project.applicationId, location: '10.1.2.3' });
    const foreign = minted(1_764_000_000_001, { applicationId: OTHER_APP });
    inspect(file, (db) => {
      migrate(
        db,
        migrations.filter((m) => m.version <= 2),
      );
      const insert = db.prepare(
        `INSERT INTO sessions (session_id, application_id, media_mode, archive_mode, location, e2ee,
           archive_name, archive_resolution, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const s of [regular, odd, foreign]) {
        insert.run(
          s.sessionId,
          s.applicationId,
          s.mediaMode,
          s.archiveMode,
          s.location,
          s.e2ee ? 1 : 0,
          s.archiveName,
          s.archiveResolution,
          s.createdAt,
        );
      }
    });

    const store = openSqliteStore(file);
    await store.projects.create(project);
    for (const session of [regular, odd, foreign]) {
      expect(await store.sessions.get(session.sessionId)).toEqual(session);
    }
    // A migrated ID is still unique: a new insert of it is refused.
    await expect(store.sessions.create(odd)).rejects.toMatchObject({ reason: 'conflict' });
    expect(await store.projects.delete(project.applicationId)).toBe(true);
    expect(await store.sessions.get(regular.sessionId)).toBeNull();
    expect(await store.sessions.get(odd.sessionId)).toBeNull();
    expect(await store.sessions.get(foreign.sessionId)).toEqual(foreign);
    await store.close();
    expect(
      inspect(file, (db) => db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()),
    ).toEqual({
      v: 3,
    });
  });
});
