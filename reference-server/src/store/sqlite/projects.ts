/**
 * The SQLite project store. Project records are cached exactly (`exact-cache.ts`): every write here clears
 * the cache, and other processes' writes are noticed through `PRAGMA data_version`.
 */
import { StoreError } from '../errors.js';
import type { ProjectStore } from '../types.js';
import type { SqliteContext } from './context.js';
import { projectFromRow, projectParams } from './rows.js';
import { isUniqueViolation, updateSql } from './sql.js';

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

/** Projects, by application ID or legacy API key. */
export function sqliteProjectStore(ctx: SqliteContext): ProjectStore {
  return {
    async create(project) {
      const params = projectParams(project);
      ctx.projectCache.clear();
      ctx.open().transaction(() => {
        if (
          ctx.one(
            'SELECT 1 AS x FROM projects WHERE application_id = $id',
            { id: project.applicationId },
            Boolean,
          )
        ) {
          throw StoreError.conflict('project', 'applicationId', project.applicationId);
        }
        if (ctx.one('SELECT 1 AS x FROM projects WHERE api_key = $key', { key: project.apiKey }, Boolean)) {
          throw StoreError.conflict('project', 'apiKey', project.apiKey);
        }
        ctx.sql.insert('projects', params, 'insert');
      });
    },
    async get(projectId) {
      ctx.assertOpen();
      // Every authenticated request asks; see exact-cache.ts for why the cache is always exact.
      const cached = ctx.projectCache.get(projectId);
      if (cached) return cached;
      // An application ID match wins, as in the memory store (the two never collide in practice).
      const project = ctx.one(
        'SELECT * FROM projects WHERE application_id = $id OR api_key = $id ORDER BY application_id = $id DESC LIMIT 1',
        { id: projectId },
        projectFromRow,
      );
      if (project) ctx.projectCache.set(projectId, project);
      return project;
    },
    async list() {
      return ctx.all('SELECT * FROM projects ORDER BY created_at, application_id', {}, projectFromRow);
    },
    async update(project) {
      const params = projectParams(project);
      ctx.projectCache.clear();
      let changes: number | bigint;
      try {
        changes = ctx
          .open()
          .statement(updateSql('projects', params, 'application_id'))
          .run(params).changes;
      } catch (error) {
        if (isUniqueViolation(error)) throw StoreError.conflict('project', 'apiKey', project.apiKey);
        throw error;
      }
      if (Number(changes) === 0) throw StoreError.notFound('project', project.applicationId);
    },
    async delete(applicationId) {
      ctx.projectCache.clear();
      ctx.callbackCache.clear();
      return ctx.open().transaction(() => {
        const { changes } = ctx.sql
          .statement('DELETE FROM projects WHERE application_id = $id')
          .run({ id: applicationId });
        if (Number(changes) === 0) return false;
        for (const table of PROJECT_OWNED_TABLES) {
          ctx.sql.statement(`DELETE FROM ${table} WHERE application_id = $id`).run({ id: applicationId });
        }
        return true;
      });
    },
  };
}
