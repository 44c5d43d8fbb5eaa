/**
 * The SQLite schema as numbered migrations. Each migration runs in its own transaction together with
 * its `schema_migrations` row, so a crash mid-upgrade leaves the file at the previous version, never
 * half-migrated. Migrations are append-only: never edit or renumber one that has shipped.
 */
import type { DatabaseSync } from 'node:sqlite';

/** One schema step. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. STRICT tables make SQLite reject values of the wrong type. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE projects (
        application_id TEXT PRIMARY KEY,
        api_key TEXT NOT NULL UNIQUE,
        api_secret TEXT NOT NULL,
        public_key_pem TEXT NOT NULL,
        webhook_secret TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        callback_urls TEXT NOT NULL,
        archive_storage TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL,
        media_mode TEXT NOT NULL,
        archive_mode TEXT NOT NULL,
        location TEXT,
        e2ee INTEGER NOT NULL,
        archive_name TEXT,
        archive_resolution TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sessions_by_application ON sessions (application_id);

      CREATE TABLE archives (
        id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX archives_by_application ON archives (application_id, created_at DESC, id DESC);
      CREATE INDEX archives_by_status ON archives (status);

      CREATE TABLE broadcasts (
        id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX broadcasts_by_application ON broadcasts (application_id, created_at DESC, id DESC);
      CREATE INDEX broadcasts_by_status ON broadcasts (status);

      CREATE TABLE callbacks (
        id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL,
        callback_group TEXT NOT NULL,
        event TEXT NOT NULL,
        url TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX callbacks_by_application ON callbacks (application_id);

      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL,
        url TEXT NOT NULL,
        event TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_status_code INTEGER,
        last_error TEXT,
        next_attempt_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX webhook_deliveries_by_application
        ON webhook_deliveries (application_id, created_at DESC, id DESC);
      CREATE INDEX webhook_deliveries_pending
        ON webhook_deliveries (created_at, id) WHERE status = 'pending';

      CREATE TABLE idempotency_keys (
        application_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status_code INTEGER NOT NULL,
        headers TEXT NOT NULL,
        body TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (application_id, idempotency_key)
      ) STRICT;
      CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);

      CREATE TABLE jtis (
        application_id TEXT NOT NULL,
        jti TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (application_id, jti)
      ) STRICT;
      CREATE INDEX jtis_by_expiry ON jtis (expires_at);
    `,
  },
  {
    version: 2,
    name: 'experience composer renders',
    sql: `
      CREATE TABLE renders (
        id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX renders_by_application ON renders (application_id, created_at DESC, id DESC);
      CREATE INDEX renders_by_status ON renders (status);
    `,
  },
  {
    version: 3,
    name: 'sessions clustered by project and creation time',
    // Keyed by session ID, every insert landed on a random page of the ID index, and a second index
    // served project deletion: ≈ 7 WAL pages per group commit of 8 sessions. Clustered by (project,
    // creation time), inserts append to one page and the key serves both lookups — by ID (whose
    // application ID and creation time the lookup decodes, `sessions.ts`) and by project. Rows whose ID
    // does not decode to their own project and time (`id_decodes = 0`) are found by ID through a partial
    // index that holds only them; rows written before this version are put there too, as nothing here
    // can decode an ID in SQL.
    sql: `
      CREATE TABLE sessions_clustered (
        application_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        media_mode TEXT NOT NULL,
        archive_mode TEXT NOT NULL,
        location TEXT,
        e2ee INTEGER NOT NULL,
        archive_name TEXT,
        archive_resolution TEXT,
        id_decodes INTEGER NOT NULL,
        PRIMARY KEY (application_id, created_at, session_id)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO sessions_clustered
        SELECT application_id, created_at, session_id, media_mode, archive_mode, location, e2ee,
          archive_name, archive_resolution, 0
        FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_clustered RENAME TO sessions;
      CREATE UNIQUE INDEX sessions_by_undecodable_id ON sessions (session_id) WHERE id_decodes = 0;
    `,
  },
];

/**
 * Brings the database up to the newest migration. Refuses a database written by a newer server, whose
 * schema this code cannot know.
 */
export function migrate(db: DatabaseSync, steps: readonly Migration[] = migrations, now = Date.now): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get();
  const current = typeof row?.version === 'number' ? row.version : 0;
  const newest = steps.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(
      `The database schema is at version ${current} but this server only knows up to ${newest}; ` +
        'use a newer server or a different data directory',
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const step of steps) {
    if (step.version <= current) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(step.sql);
      record.run(step.version, step.name, now());
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`Migration ${step.version} (${step.name}) failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return Math.max(current, newest);
}
