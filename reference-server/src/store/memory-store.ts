/**
 * The in-memory store: the default for tests and a reference for what every store must do. Records are
 * deep-copied on the way in and out, so callers can no more mutate stored state than they could with a
 * database behind the interface.
 */
import { StoreError } from './errors.js';
import { newestFirst, oldestFirst, pageOf } from './paging.js';
import type {
  ArchiveRecord,
  ArchiveStore,
  BroadcastRecord,
  BroadcastStore,
  CallbackRecord,
  CallbackStore,
  IdempotencyRecord,
  IdempotencyStore,
  JtiStore,
  PageQuery,
  ProjectRecord,
  ProjectStore,
  RenderRecord,
  RenderStore,
  SessionRecord,
  SessionStore,
  Store,
  WebhookDeliveryRecord,
  WebhookDeliveryStore,
} from './types.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock used to decide whether idempotency records and JWT IDs have expired. Default `Date.now`. */
  now?: () => number;
}

const copy = <T>(value: T): T => structuredClone(value);

/** Creates an empty store that lives in this process only. */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  let closed = false;
  const open = (): void => {
    if (closed) throw StoreError.closed();
  };

  const projects = new Map<string, ProjectRecord>();
  const sessions = new Map<string, SessionRecord>();
  const archives = new Map<string, ArchiveRecord>();
  const broadcasts = new Map<string, BroadcastRecord>();
  const renders = new Map<string, RenderRecord>();
  const callbacks = new Map<string, CallbackRecord>();
  const deliveries = new Map<string, WebhookDeliveryRecord>();
  /** Keyed by `applicationId + NUL + key`; NUL cannot appear in either part of a real key. */
  const idempotency = new Map<string, IdempotencyRecord>();
  const jtis = new Map<string, number>();
  let lastJtiPurge = Number.NEGATIVE_INFINITY;
  const pairKey = (applicationId: string, key: string): string => `${applicationId}\u0000${key}`;

  const projectByKeyOrId = (projectId: string): ProjectRecord | undefined =>
    projects.get(projectId) ?? [...projects.values()].find((p) => p.apiKey === projectId);

  const deleteWhere = <V>(map: Map<string, V>, matches: (value: V, key: string) => boolean): void => {
    for (const [key, value] of map) if (matches(value, key)) map.delete(key);
  };

  const projectStore: ProjectStore = {
    async create(project) {
      open();
      if (projects.has(project.applicationId)) {
        throw StoreError.conflict('project', 'applicationId', project.applicationId);
      }
      if ([...projects.values()].some((p) => p.apiKey === project.apiKey)) {
        throw StoreError.conflict('project', 'apiKey', project.apiKey);
      }
      projects.set(project.applicationId, copy(project));
    },
    async get(projectId) {
      open();
      const found = projectByKeyOrId(projectId);
      return found ? copy(found) : null;
    },
    async list() {
      open();
      return [...projects.values()].sort((a, b) => a.createdAt - b.createdAt).map(copy);
    },
    async update(project) {
      open();
      if (!projects.has(project.applicationId)) throw StoreError.notFound('project', project.applicationId);
      const sameKey = [...projects.values()].find(
        (p) => p.apiKey === project.apiKey && p.applicationId !== project.applicationId,
      );
      if (sameKey) throw StoreError.conflict('project', 'apiKey', project.apiKey);
      projects.set(project.applicationId, copy(project));
    },
    async delete(applicationId) {
      open();
      if (!projects.delete(applicationId)) return false;
      // A deleted project's records are unreachable through the API, so they go with it.
      const owned = (record: { applicationId: string }): boolean => record.applicationId === applicationId;
      deleteWhere(sessions, owned);
      deleteWhere(archives, owned);
      deleteWhere(broadcasts, owned);
      deleteWhere(renders, owned);
      deleteWhere(callbacks, owned);
      deleteWhere(deliveries, owned);
      deleteWhere(idempotency, owned);
      deleteWhere(jtis, (_expiry, key) => key.startsWith(`${applicationId}\u0000`));
      return true;
    },
  };

  const sessionStore: SessionStore = {
    async create(session) {
      open();
      if (sessions.has(session.sessionId))
        throw StoreError.conflict('session', 'sessionId', session.sessionId);
      sessions.set(session.sessionId, copy(session));
    },
    async get(sessionId) {
      open();
      const found = sessions.get(sessionId);
      return found ? copy(found) : null;
    },
  };

  const listOwned = <T extends { applicationId: string; sessionId: string; createdAt: number; id: string }>(
    map: Map<string, T>,
    applicationId: string,
    filter: { sessionId?: string } & PageQuery,
  ) => {
    const matching = [...map.values()]
      .filter((r) => r.applicationId === applicationId)
      .filter((r) => filter.sessionId === undefined || r.sessionId === filter.sessionId)
      .sort(newestFirst);
    const page = pageOf(matching, filter);
    return { total: page.total, items: page.items.map(copy) };
  };

  const getOwned = <T extends { applicationId: string }>(
    map: Map<string, T>,
    applicationId: string,
    id: string,
  ) => {
    const found = map.get(id);
    return found && found.applicationId === applicationId ? copy(found) : null;
  };

  const archiveStore: ArchiveStore = {
    async put(archive) {
      open();
      archives.set(archive.id, copy(archive));
    },
    async get(applicationId, archiveId) {
      open();
      return getOwned(archives, applicationId, archiveId);
    },
    async list(applicationId, filter) {
      open();
      return listOwned(archives, applicationId, filter);
    },
    async delete(applicationId, archiveId) {
      open();
      if (!getOwned(archives, applicationId, archiveId)) return false;
      return archives.delete(archiveId);
    },
    async listByStatus(status) {
      open();
      return [...archives.values()]
        .filter((a) => a.status === status)
        .sort(oldestFirst)
        .map(copy);
    },
  };

  const broadcastStore: BroadcastStore = {
    async put(broadcast) {
      open();
      broadcasts.set(broadcast.id, copy(broadcast));
    },
    async get(applicationId, broadcastId) {
      open();
      return getOwned(broadcasts, applicationId, broadcastId);
    },
    async list(applicationId, filter) {
      open();
      return listOwned(broadcasts, applicationId, filter);
    },
    async listByStatus(status) {
      open();
      return [...broadcasts.values()]
        .filter((b) => b.status === status)
        .sort(oldestFirst)
        .map(copy);
    },
  };

  const renderStore: RenderStore = {
    async put(render) {
      open();
      renders.set(render.id, copy(render));
    },
    async get(applicationId, renderId) {
      open();
      return getOwned(renders, applicationId, renderId);
    },
    async list(applicationId, page) {
      open();
      return listOwned(renders, applicationId, page);
    },
    async listByStatus(status) {
      open();
      return [...renders.values()]
        .filter((r) => r.status === status)
        .sort(oldestFirst)
        .map(copy);
    },
  };

  const callbackStore: CallbackStore = {
    async create(callback) {
      open();
      if (callbacks.has(callback.id)) throw StoreError.conflict('callback', 'id', callback.id);
      callbacks.set(callback.id, copy(callback));
    },
    async list(applicationId) {
      open();
      return [...callbacks.values()]
        .filter((c) => c.applicationId === applicationId)
        .sort(oldestFirst)
        .map(copy);
    },
    async delete(applicationId, callbackId) {
      open();
      if (!getOwned(callbacks, applicationId, callbackId)) return false;
      return callbacks.delete(callbackId);
    },
  };

  const deliveryStore: WebhookDeliveryStore = {
    async put(delivery) {
      open();
      deliveries.set(delivery.id, copy(delivery));
    },
    async get(id) {
      open();
      const found = deliveries.get(id);
      return found ? copy(found) : null;
    },
    async due(at, limit) {
      open();
      return [...deliveries.values()]
        .filter((d) => d.status === 'pending' && (d.nextAttemptAt ?? d.createdAt) <= at)
        .sort(oldestFirst)
        .slice(0, Math.max(0, limit))
        .map(copy);
    },
    async list(applicationId, page) {
      open();
      const matching = [...deliveries.values()]
        .filter((d) => d.applicationId === applicationId)
        .sort(newestFirst);
      const result = pageOf(matching, page);
      return { total: result.total, items: result.items.map(copy) };
    },
  };

  const idempotencyStore: IdempotencyStore = {
    async get(applicationId, key) {
      open();
      const found = idempotency.get(pairKey(applicationId, key));
      return found && found.expiresAt > now() ? copy(found) : null;
    },
    async put(record) {
      open();
      idempotency.set(pairKey(record.applicationId, record.key), copy(record));
    },
    async purgeExpired(at) {
      open();
      let removed = 0;
      for (const [key, record] of idempotency) {
        if (record.expiresAt <= at) {
          idempotency.delete(key);
          removed++;
        }
      }
      return removed;
    },
  };

  const jtiStore: JtiStore = {
    async claim(applicationId, jti, expiresAt) {
      open();
      const at = now();
      // Expired IDs can never be replayed, so dropping them keeps the map bounded by live tokens; at most
      // once a second, so a burst of requests does not scan the map on every call.
      if (at - lastJtiPurge >= 1000) {
        deleteWhere(jtis, (expiry) => expiry <= at);
        lastJtiPurge = at;
      }
      const key = pairKey(applicationId, jti);
      const expiry = jtis.get(key);
      if (expiry !== undefined && expiry > at) return false;
      jtis.set(key, expiresAt);
      return true;
    },
  };

  return {
    projects: projectStore,
    sessions: sessionStore,
    archives: archiveStore,
    broadcasts: broadcastStore,
    renders: renderStore,
    callbacks: callbackStore,
    webhookDeliveries: deliveryStore,
    idempotency: idempotencyStore,
    jtis: jtiStore,
    async close() {
      closed = true;
    },
  };
}
