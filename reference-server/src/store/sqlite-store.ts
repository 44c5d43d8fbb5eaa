/**
 * The embedded default store: one SQLite file in the data directory, through `node:sqlite`.
 *
 * Durability: the database runs in WAL mode, and a store call's promise resolves only once its write is
 * committed to the WAL file. Most calls are one auto-committed statement or one explicit transaction;
 * the hot writes — session inserts and JWT ID claims — are group-committed: those queued during one turn
 * of the event loop share one transaction right after it (`sqlite/write-batch.ts`), and any other store
 * call commits the queue first, so reads always see earlier writes.
 *
 * With `durability: 'normal'` (the default, `synchronous=NORMAL`) the WAL is fsynced only at checkpoints:
 * a committed write survives the server process dying (`kill -9`, a crash) because it is in the OS page
 * cache, but an OS crash or power loss may lose the last commits (the database itself stays consistent).
 * `durability: 'full'` (`synchronous=FULL`) fsyncs the WAL on every commit, which survives power loss too;
 * group commit shares one fsync among the writes of a turn, but an fsync per turn still bounds session
 * creation by the disk's flush latency (see `bench/PROFILE.md`).
 *
 * Project records are cached (`sqlite/project-cache.ts`), exactly: this store's writes clear the cache,
 * and other processes' writes to the file are noticed through `PRAGMA data_version`. */
import { SqliteContext } from './sqlite/context.js';
import {
  dataVersionReader,
  ExternalChanges,
  type ExternalChangesOptions,
} from './sqlite/external-changes.js';
import { loadSqlite } from './sqlite/load.js';
import { sqliteArchiveStore, sqliteBroadcastStore, sqliteRenderStore } from './sqlite/media-jobs.js';
import { migrate } from './sqlite/migrations.js';
import { createCallbackListCache, createProjectCache } from './sqlite/project-cache.js';
import {
  sqliteCallbackStore,
  sqliteIdempotencyStore,
  sqliteWebhookDeliveryStore,
} from './sqlite/project-data.js';
import { sqliteProjectStore } from './sqlite/projects.js';
import { sqliteJtiStore, sqliteSessionStore } from './sqlite/sessions.js';
import { Sql } from './sqlite/sql.js';
import { WriteBatch } from './sqlite/write-batch.js';
import type { Store } from './types.js';

/** How hard SQLite works to keep committed writes; see the module comment. */
export type SqliteDurability = 'normal' | 'full';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * `normal` (default): committed writes survive the process dying; an OS crash or power loss may lose the
   * last ones. `full`: an fsync per commit, committed writes survive power loss too.
   */
  durability?: SqliteDurability;
  /** The clock used to decide whether idempotency records and JWT IDs have expired. Default `Date.now`. */
  now?: () => number;
  /**
   * How often the caches look for commits by other processes (`sqlite/external-changes.ts`). Default:
   * at most once a millisecond.
   */
  externalChanges?: ExternalChangesOptions;
}

/**
 * Opens (creating if needed) the SQLite store at `file` and migrates it to the current schema. Pass
 * `':memory:'` for a throw-away database.
 */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const durability = options.durability ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') {
    throw new TypeError(`durability must be "normal" or "full", got ${JSON.stringify(durability)}`);
  }
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    // Another process (a CLI command) may hold the write lock briefly; wait instead of failing at once.
    db.exec('PRAGMA busy_timeout = 5000');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const sql = new Sql(db);
  const changes = new ExternalChanges(dataVersionReader(db), options.externalChanges);
  const ctx = new SqliteContext(
    sql,
    new WriteBatch(sql),
    createProjectCache(changes),
    createCallbackListCache(changes),
    now,
  );
  return {
    projects: sqliteProjectStore(ctx),
    sessions: sqliteSessionStore(ctx),
    archives: sqliteArchiveStore(ctx),
    broadcasts: sqliteBroadcastStore(ctx),
    renders: sqliteRenderStore(ctx),
    callbacks: sqliteCallbackStore(ctx),
    webhookDeliveries: sqliteWebhookDeliveryStore(ctx),
    idempotency: sqliteIdempotencyStore(ctx),
    jtis: sqliteJtiStore(ctx),
    async close() {
      if (ctx.closed) return;
      // Queued writes were promised a commit.
      ctx.batch.flush();
      ctx.closed = true;
      db.close();
    },
  };
}
