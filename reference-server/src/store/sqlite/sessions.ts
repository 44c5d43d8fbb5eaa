/**
 * The SQLite stores written on every request's hot path — session inserts and JWT ID claims — whose writes
 * are group-committed (`write-batch.ts`): each call resolves once its write is committed.
 */
import { StoreError } from '../errors.js';
import type { JtiStore, SessionStore } from '../types.js';
import type { SqliteContext } from './context.js';
import { sessionFromRow, sessionKeyNamedBy, sessionParams } from './rows.js';
import { isUniqueViolation } from './sql.js';

/** Sessions; inserts are group-committed with the other writes of an event-loop turn. */
export function sqliteSessionStore(ctx: SqliteContext): SessionStore {
  return {
    async create(session) {
      ctx.assertOpen();
      const params = sessionParams(session);
      // Group-committed with the other inserts of this event-loop turn; resolves once committed.
      return ctx.batch.enqueue(() => {
        try {
          ctx.sql.insert('sessions', params, 'insert');
        } catch (error) {
          if (isUniqueViolation(error)) throw StoreError.conflict('session', 'sessionId', session.sessionId);
          throw error;
        }
      });
    },
    async get(sessionId) {
      // The table is keyed by (application, creation time, ID): an ID minted for a project names the
      // first two, so its row is one primary-key probe away. Anything else — an ID that does not decode,
      // or names another project or time than its row — was stored with `id_decodes = 0` and is found
      // through the partial index that holds only those rows.
      const named = sessionKeyNamedBy(sessionId);
      if (named) {
        const keyed = ctx.one(
          'SELECT * FROM sessions WHERE application_id = $app AND created_at = $at AND session_id = $id',
          { app: named.applicationId, at: named.createdAt, id: sessionId },
          sessionFromRow,
        );
        if (keyed) return keyed;
      }
      return ctx.one(
        'SELECT * FROM sessions WHERE id_decodes = 0 AND session_id = $id',
        { id: sessionId },
        sessionFromRow,
      );
    },
  };
}

/** JWT IDs claimed once within their lifetime; claims are group-committed. */
export function sqliteJtiStore(ctx: SqliteContext): JtiStore {
  let lastJtiPurge = Number.NEGATIVE_INFINITY;
  return {
    async claim(applicationId, jti, expiresAt) {
      ctx.assertOpen();
      const at = ctx.now();
      // Every Bearer request claims its JWT ID, so the claims are group-committed like session inserts.
      // Claims of one batch run in order: a second claim of the same ID sees the first and fails.
      if (at - lastJtiPurge >= 1000) {
        // Expired IDs can never be replayed; dropping them (at most once a second) bounds the table.
        lastJtiPurge = at;
        void ctx.batch
          .enqueue(() => ctx.sql.statement('DELETE FROM jtis WHERE expires_at <= $at').run({ at }))
          .catch(() => {
            // The purge is housekeeping: a failed one is retried a second later.
            lastJtiPurge = Number.NEGATIVE_INFINITY;
          });
      }
      return ctx.batch.enqueue(() => {
        // An expired claim of the same ID is replaced; a live one makes the insert a no-op.
        // Bound by position (?1 … ?4), like every hot insert (`Sql.insert`).
        const { changes } = ctx.sql
          .statement(
            `INSERT INTO jtis (application_id, jti, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (application_id, jti) DO UPDATE SET expires_at = excluded.expires_at
             WHERE jtis.expires_at <= ?4`,
          )
          .run(applicationId, jti, expiresAt, at);
        return Number(changes) > 0;
      });
    },
  };
}
