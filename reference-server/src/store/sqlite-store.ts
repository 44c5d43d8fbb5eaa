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
import { StoreError } from './errors.js';
import { assertPageQuery } from './paging.js';
import { loadSqlite } from './sqlite/load.js';
import { migrate } from './sqlite/migrations.js';
import { dataVersionReader, ProjectCache } from './sqlite/project-cache.js';
import {
  archiveFromRow,
  broadcastFromRow,
  callbackFromRow,
  callbackParams,
  deliveryFromRow,
  deliveryParams,
  idempotencyFromRow,
  idempotencyParams,
  mediaJobParams,
  projectFromRow,
  projectParams,
  type Row,
  renderFromRow,
  sessionFromRow,
  sessionParams,
} from './sqlite/rows.js';
import { insertSql, isUniqueViolation, Sql, updateSql } from './sqlite/sql.js';
import { WriteBatch } from './sqlite/write-batch.js';
import type {
  ArchiveRecord,
  ArchiveStore,
  BroadcastRecord,
  BroadcastStore,
  CallbackStore,
  IdempotencyStore,
  JtiStore,
  Page,
  PageQuery,
  ProjectStore,
  RenderRecord,
  RenderStore,
  SessionStore,
  Store,
  WebhookDeliveryStore,
} from './types.js';

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
}

/** Tables that hold per-project records, removed with their project. */
const PROJECT_OWNED_TABLES = [
  'sessions',
  'archives',
  'broadcasts',
  'renders',
  'callbacks',
  'webhook_deliveries',
  'idempotency_keys',
  'jtis',
] as const;

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
  const batch = new WriteBatch(sql);
  const projectCache = new ProjectCache(dataVersionReader(db));
  // Tracked here rather than with `db.isOpen`, which Node 22 gained only in 22.15.
  let closed = false;
  /** The database, for any statement: queued writes are committed first, so every statement sees them. */
  const open = (): Sql => {
    if (closed) throw StoreError.closed();
    if (batch.pending > 0) batch.flush();
    return sql;
  };
  const one = <T>(text: string, params: Record<string, string | number>, map: (row: Row) => T): T | null => {
    const row = open().statement(text).get(params);
    return row ? map(row) : null;
  };
  const all = <T>(text: string, params: Record<string, string | number>, map: (row: Row) => T): T[] =>
    open().statement(text).all(params).map(map);
  const count = (text: string, params: Record<string, string | number>): number => {
    const row = open().statement(text).get(params);
    return typeof row?.n === 'number' ? row.n : 0;
  };

  const projects: ProjectStore = {
    async create(project) {
      const params = projectParams(project);
      projectCache.clear();
      open().transaction(() => {
        if (
          one(
            'SELECT 1 AS x FROM projects WHERE application_id = $id',
            { id: project.applicationId },
            Boolean,
          )
        ) {
          throw StoreError.conflict('project', 'applicationId', project.applicationId);
        }
        if (one('SELECT 1 AS x FROM projects WHERE api_key = $key', { key: project.apiKey }, Boolean)) {
          throw StoreError.conflict('project', 'apiKey', project.apiKey);
        }
        sql.statement(insertSql('projects', params, 'insert')).run(params);
      });
    },
    async get(projectId) {
      if (closed) throw StoreError.closed();
      // Every authenticated request asks; see project-cache.ts for why the cache is always exact.
      const cached = projectCache.get(projectId);
      if (cached) return cached;
      // An application ID match wins, as in the memory store (the two never collide in practice).
      const project = one(
        'SELECT * FROM projects WHERE application_id = $id OR api_key = $id ORDER BY application_id = $id DESC LIMIT 1',
        { id: projectId },
        projectFromRow,
      );
      if (project) projectCache.set(projectId, project);
      return project;
    },
    async list() {
      return all('SELECT * FROM projects ORDER BY created_at, application_id', {}, projectFromRow);
    },
    async update(project) {
      const params = projectParams(project);
      projectCache.clear();
      let changes: number | bigint;
      try {
        changes = open()
          .statement(updateSql('projects', params, 'application_id'))
          .run(params).changes;
      } catch (error) {
        if (isUniqueViolation(error)) throw StoreError.conflict('project', 'apiKey', project.apiKey);
        throw error;
      }
      if (Number(changes) === 0) throw StoreError.notFound('project', project.applicationId);
    },
    async delete(applicationId) {
      projectCache.clear();
      return open().transaction(() => {
        const { changes } = sql
          .statement('DELETE FROM projects WHERE application_id = $id')
          .run({ id: applicationId });
        if (Number(changes) === 0) return false;
        for (const table of PROJECT_OWNED_TABLES) {
          sql.statement(`DELETE FROM ${table} WHERE application_id = $id`).run({ id: applicationId });
        }
        return true;
      });
    },
  };

  /** The session INSERT, built once (its column list comes from the first record's parameters). */
  let sessionInsert: string | undefined;
  const sessions: SessionStore = {
    async create(session) {
      if (closed) throw StoreError.closed();
      const params = sessionParams(session);
      // Group-committed with the other inserts of this event-loop turn; resolves once committed.
      sessionInsert ??= insertSql('sessions', params, 'insert');
      const text = sessionInsert;
      return batch.enqueue(() => {
        try {
          sql.statement(text).run(params);
        } catch (error) {
          if (isUniqueViolation(error)) throw StoreError.conflict('session', 'sessionId', session.sessionId);
          throw error;
        }
      });
    },
    async get(sessionId) {
      return one('SELECT * FROM sessions WHERE session_id = $id', { id: sessionId }, sessionFromRow);
    },
  };

  /** Lists one project's archives, broadcasts or renders, newest first, optionally for one session. */
  const listJobs = <T>(
    table: 'archives' | 'broadcasts' | 'renders',
    map: (row: Row) => T,
    applicationId: string,
    filter: { sessionId?: string } & PageQuery,
  ): Page<T> => {
    assertPageQuery(filter);
    const where =
      filter.sessionId === undefined
        ? 'application_id = $app'
        : 'application_id = $app AND session_id = $session';
    const params: Record<string, string | number> = { app: applicationId };
    if (filter.sessionId !== undefined) params.session = filter.sessionId;
    const total = count(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
    const items = all(
      `SELECT * FROM ${table} WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $limit OFFSET $offset`,
      { ...params, limit: filter.count, offset: filter.offset },
      map,
    );
    return { total, items };
  };

  const archives: ArchiveStore = {
    async put(archive) {
      const params = mediaJobParams(archive);
      open()
        .statement(insertSql('archives', params, 'upsert'))
        .run(params);
    },
    async get(applicationId, archiveId) {
      return one(
        'SELECT * FROM archives WHERE id = $id AND application_id = $app',
        { id: archiveId, app: applicationId },
        archiveFromRow,
      );
    },
    async list(applicationId, filter) {
      return listJobs('archives', archiveFromRow, applicationId, filter);
    },
    async delete(applicationId, archiveId) {
      const { changes } = open()
        .statement('DELETE FROM archives WHERE id = $id AND application_id = $app')
        .run({ id: archiveId, app: applicationId });
      return Number(changes) > 0;
    },
    async listByStatus(status: ArchiveRecord['status']) {
      return all(
        'SELECT * FROM archives WHERE status = $status ORDER BY created_at, id',
        { status },
        archiveFromRow,
      );
    },
  };

  const broadcasts: BroadcastStore = {
    async put(broadcast) {
      const params = mediaJobParams(broadcast);
      open()
        .statement(insertSql('broadcasts', params, 'upsert'))
        .run(params);
    },
    async get(applicationId, broadcastId) {
      return one(
        'SELECT * FROM broadcasts WHERE id = $id AND application_id = $app',
        { id: broadcastId, app: applicationId },
        broadcastFromRow,
      );
    },
    async list(applicationId, filter) {
      return listJobs('broadcasts', broadcastFromRow, applicationId, filter);
    },
    async listByStatus(status: BroadcastRecord['status']) {
      return all(
        'SELECT * FROM broadcasts WHERE status = $status ORDER BY created_at, id',
        { status },
        broadcastFromRow,
      );
    },
  };

  const renders: RenderStore = {
    async put(render) {
      const params = mediaJobParams(render);
      open()
        .statement(insertSql('renders', params, 'upsert'))
        .run(params);
    },
    async get(applicationId, renderId) {
      return one(
        'SELECT * FROM renders WHERE id = $id AND application_id = $app',
        { id: renderId, app: applicationId },
        renderFromRow,
      );
    },
    async list(applicationId, page) {
      return listJobs('renders', renderFromRow, applicationId, page);
    },
    async listByStatus(status: RenderRecord['status']) {
      return all(
        'SELECT * FROM renders WHERE status = $status ORDER BY created_at, id',
        { status },
        renderFromRow,
      );
    },
  };

  const callbacks: CallbackStore = {
    async create(callback) {
      const params = callbackParams(callback);
      try {
        open()
          .statement(insertSql('callbacks', params, 'insert'))
          .run(params);
      } catch (error) {
        if (isUniqueViolation(error)) throw StoreError.conflict('callback', 'id', callback.id);
        throw error;
      }
    },
    async list(applicationId) {
      return all(
        'SELECT * FROM callbacks WHERE application_id = $app ORDER BY created_at, id',
        { app: applicationId },
        callbackFromRow,
      );
    },
    async delete(applicationId, callbackId) {
      const { changes } = open()
        .statement('DELETE FROM callbacks WHERE id = $id AND application_id = $app')
        .run({ id: callbackId, app: applicationId });
      return Number(changes) > 0;
    },
  };

  const webhookDeliveries: WebhookDeliveryStore = {
    async put(delivery) {
      const params = deliveryParams(delivery);
      open()
        .statement(insertSql('webhook_deliveries', params, 'upsert'))
        .run(params);
    },
    async get(id) {
      return one('SELECT * FROM webhook_deliveries WHERE id = $id', { id }, deliveryFromRow);
    },
    async due(at, limit) {
      return all(
        `SELECT * FROM webhook_deliveries
         WHERE status = 'pending' AND COALESCE(next_attempt_at, created_at) <= $at
         ORDER BY created_at, id LIMIT $limit`,
        { at, limit: Math.max(0, Math.floor(limit)) },
        deliveryFromRow,
      );
    },
    async list(applicationId, page) {
      assertPageQuery(page);
      const total = count('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE application_id = $app', {
        app: applicationId,
      });
      const items = all(
        `SELECT * FROM webhook_deliveries WHERE application_id = $app
         ORDER BY created_at DESC, id DESC LIMIT $limit OFFSET $offset`,
        { app: applicationId, limit: page.count, offset: page.offset },
        deliveryFromRow,
      );
      return { total, items };
    },
  };

  const idempotency: IdempotencyStore = {
    async get(applicationId, key) {
      return one(
        `SELECT * FROM idempotency_keys
         WHERE application_id = $app AND idempotency_key = $key AND expires_at > $now`,
        { app: applicationId, key, now: now() },
        idempotencyFromRow,
      );
    },
    async put(record) {
      const params = idempotencyParams(record);
      open()
        .statement(insertSql('idempotency_keys', params, 'upsert'))
        .run(params);
    },
    async purgeExpired(at) {
      const { changes } = open()
        .statement('DELETE FROM idempotency_keys WHERE expires_at <= $at')
        .run({ at });
      return Number(changes);
    },
  };

  let lastJtiPurge = Number.NEGATIVE_INFINITY;
  const jtis: JtiStore = {
    async claim(applicationId, jti, expiresAt) {
      if (closed) throw StoreError.closed();
      const at = now();
      // Every Bearer request claims its JWT ID, so the claims are group-committed like session inserts.
      // Claims of one batch run in order: a second claim of the same ID sees the first and fails.
      if (at - lastJtiPurge >= 1000) {
        // Expired IDs can never be replayed; dropping them (at most once a second) bounds the table.
        lastJtiPurge = at;
        void batch
          .enqueue(() => sql.statement('DELETE FROM jtis WHERE expires_at <= $at').run({ at }))
          .catch(() => {
            // The purge is housekeeping: a failed one is retried a second later.
            lastJtiPurge = Number.NEGATIVE_INFINITY;
          });
      }
      return batch.enqueue(() => {
        // An expired claim of the same ID is replaced; a live one makes the insert a no-op.
        const { changes } = sql
          .statement(
            `INSERT INTO jtis (application_id, jti, expires_at) VALUES ($app, $jti, $expires)
             ON CONFLICT (application_id, jti) DO UPDATE SET expires_at = excluded.expires_at
             WHERE jtis.expires_at <= $at`,
          )
          .run({ app: applicationId, jti, expires: expiresAt, at });
        return Number(changes) > 0;
      });
    },
  };

  return {
    projects,
    sessions,
    archives,
    broadcasts,
    renders,
    callbacks,
    webhookDeliveries,
    idempotency,
    jtis,
    async close() {
      if (closed) return;
      // Queued writes were promised a commit.
      batch.flush();
      closed = true;
      db.close();
    },
  };
}
