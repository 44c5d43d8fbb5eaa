/**
 * The SQLite stores of media jobs — archives, broadcasts and renders — which share one listing.
 */
import { assertPageQuery } from '../paging.js';
import type {
  ArchiveRecord,
  ArchiveStore,
  BroadcastRecord,
  BroadcastStore,
  Page,
  PageQuery,
  RenderRecord,
  RenderStore,
} from '../types.js';
import type { SqliteContext } from './context.js';
import { archiveFromRow, broadcastFromRow, mediaJobParams, type Row, renderFromRow } from './rows.js';

/** Lists one project's archives, broadcasts or renders, newest first, optionally for one session. */
function listJobs<T>(
  ctx: SqliteContext,
  table: 'archives' | 'broadcasts' | 'renders',
  map: (row: Row) => T,
  applicationId: string,
  filter: { sessionId?: string } & PageQuery,
): Page<T> {
  assertPageQuery(filter);
  const where =
    filter.sessionId === undefined
      ? 'application_id = $app'
      : 'application_id = $app AND session_id = $session';
  const params: Record<string, string | number> = { app: applicationId };
  if (filter.sessionId !== undefined) params.session = filter.sessionId;
  const total = ctx.count(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
  const items = ctx.all(
    `SELECT * FROM ${table} WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $limit OFFSET $offset`,
    { ...params, limit: filter.count, offset: filter.offset },
    map,
  );
  return { total, items };
}

/** What archives, broadcasts and renders share: put (upsert), get, list and listByStatus. */
interface MediaJobStore<T extends { status: string }> {
  put(job: T): Promise<void>;
  get(applicationId: string, id: string): Promise<T | null>;
  list(applicationId: string, filter: { sessionId?: string } & PageQuery): Promise<Page<T>>;
  listByStatus(status: T['status']): Promise<T[]>;
}

/** The shared store of one media-job table. */
function mediaJobStore<T extends ArchiveRecord | BroadcastRecord | RenderRecord>(
  ctx: SqliteContext,
  table: 'archives' | 'broadcasts' | 'renders',
  fromRow: (row: Row) => T,
): MediaJobStore<T> {
  return {
    async put(job) {
      const params = mediaJobParams(job);
      ctx.open().insert(table, params, 'upsert');
    },
    async get(applicationId, id) {
      return ctx.one(
        `SELECT * FROM ${table} WHERE id = $id AND application_id = $app`,
        { id, app: applicationId },
        fromRow,
      );
    },
    async list(applicationId, filter) {
      return listJobs(ctx, table, fromRow, applicationId, filter);
    },
    async listByStatus(status) {
      return ctx.all(
        `SELECT * FROM ${table} WHERE status = $status ORDER BY created_at, id`,
        { status },
        fromRow,
      );
    },
  };
}

/** Archive records; unlike the others, an archive can be deleted. */
export function sqliteArchiveStore(ctx: SqliteContext): ArchiveStore {
  return {
    ...mediaJobStore(ctx, 'archives', archiveFromRow),
    async delete(applicationId, archiveId) {
      const { changes } = ctx
        .open()
        .statement('DELETE FROM archives WHERE id = $id AND application_id = $app')
        .run({ id: archiveId, app: applicationId });
      return Number(changes) > 0;
    },
  };
}

/** Broadcast records. */
export function sqliteBroadcastStore(ctx: SqliteContext): BroadcastStore {
  return mediaJobStore(ctx, 'broadcasts', broadcastFromRow);
}

/** Experience Composer render records. */
export function sqliteRenderStore(ctx: SqliteContext): RenderStore {
  return mediaJobStore(ctx, 'renders', renderFromRow);
}
