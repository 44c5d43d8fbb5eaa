/**
 * The SQLite stores of a project's other records: callbacks, webhook deliveries and idempotency keys.
 */
import { StoreError } from '../errors.js';
import { assertPageQuery } from '../paging.js';
import type { CallbackStore, IdempotencyStore, WebhookDeliveryStore } from '../types.js';
import type { SqliteContext } from './context.js';
import {
  callbackFromRow,
  callbackParams,
  deliveryFromRow,
  deliveryParams,
  idempotencyFromRow,
  idempotencyParams,
} from './rows.js';
import { isUniqueViolation } from './sql.js';

/** Registered project callbacks. */
export function sqliteCallbackStore(ctx: SqliteContext): CallbackStore {
  return {
    async create(callback) {
      const params = callbackParams(callback);
      ctx.callbackCache.clear();
      try {
        ctx.open().insert('callbacks', params, 'insert');
      } catch (error) {
        if (isUniqueViolation(error)) throw StoreError.conflict('callback', 'id', callback.id);
        throw error;
      }
    },
    async list(applicationId) {
      ctx.assertOpen();
      // Read by every callback listing and every webhook a project event sends; exact (exact-cache.ts).
      const cached = ctx.callbackCache.get(applicationId);
      if (cached) return cached;
      const callbacks = ctx.all(
        'SELECT * FROM callbacks WHERE application_id = $app ORDER BY created_at, id',
        { app: applicationId },
        callbackFromRow,
      );
      ctx.callbackCache.set(applicationId, callbacks);
      return callbacks;
    },
    async delete(applicationId, callbackId) {
      ctx.callbackCache.clear();
      const { changes } = ctx
        .open()
        .statement('DELETE FROM callbacks WHERE id = $id AND application_id = $app')
        .run({ id: callbackId, app: applicationId });
      return Number(changes) > 0;
    },
  };
}

/** Webhook deliveries: the queue and its log. */
export function sqliteWebhookDeliveryStore(ctx: SqliteContext): WebhookDeliveryStore {
  return {
    async put(delivery) {
      const params = deliveryParams(delivery);
      ctx.open().insert('webhook_deliveries', params, 'upsert');
    },
    async get(id) {
      return ctx.one('SELECT * FROM webhook_deliveries WHERE id = $id', { id }, deliveryFromRow);
    },
    async due(at, limit) {
      return ctx.all(
        `SELECT * FROM webhook_deliveries
         WHERE status = 'pending' AND COALESCE(next_attempt_at, created_at) <= $at
         ORDER BY created_at, id LIMIT $limit`,
        { at, limit: Math.max(0, Math.floor(limit)) },
        deliveryFromRow,
      );
    },
    async list(applicationId, page) {
      assertPageQuery(page);
      const total = ctx.count('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE application_id = $app', {
        app: applicationId,
      });
      const items = ctx.all(
        `SELECT * FROM webhook_deliveries WHERE application_id = $app
         ORDER BY created_at DESC, id DESC LIMIT $limit OFFSET $offset`,
        { app: applicationId, limit: page.count, offset: page.offset },
        deliveryFromRow,
      );
      return { total, items };
    },
  };
}

/** Idempotency keys of REST requests, until they expire. */
export function sqliteIdempotencyStore(ctx: SqliteContext): IdempotencyStore {
  return {
    async get(applicationId, key) {
      return ctx.one(
        `SELECT * FROM idempotency_keys
         WHERE application_id = $app AND idempotency_key = $key AND expires_at > $now`,
        { app: applicationId, key, now: ctx.now() },
        idempotencyFromRow,
      );
    },
    async put(record) {
      const params = idempotencyParams(record);
      ctx.open().insert('idempotency_keys', params, 'upsert');
    },
    async purgeExpired(at) {
      const { changes } = ctx
        .open()
        .statement('DELETE FROM idempotency_keys WHERE expires_at <= $at')
        .run({ at });
      return Number(changes);
    },
  };
}
