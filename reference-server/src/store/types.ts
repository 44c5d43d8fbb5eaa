/**
 * The storage interface of the reference server. Handlers depend only on these types, so the embedded
 * SQLite store, the in-memory store used by tests and a future shared store (Redis) are interchangeable.
 *
 * Every method is async even where the embedded store is synchronous, so a networked store fits later.
 * Records are plain JSON-serialisable objects; times are milliseconds since the Unix epoch.
 */

/** The role of a client token. */
export type TokenRole = 'publisher' | 'subscriber' | 'moderator' | 'publisheronly';

/** A project: the owner of sessions, archives and everything else. */
export interface ProjectRecord {
  /** The application ID (UUID), the Vonage-style identifier. */
  applicationId: string;
  /** The legacy numeric API key, the OpenTok-style identifier. */
  apiKey: string;
  /** The HS256 API secret (legacy REST auth, legacy client tokens). */
  apiSecret: string;
  /** The PEM (SPKI) public key that verifies RS256 JWTs of this application. */
  publicKeyPem: string;
  /** The webhook signing secret, `whsec_<base64>`. */
  webhookSecret: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  /** Per-event callback URLs, keyed by callback group (`session`, `archive`, `broadcast`, `sip`, `render`, `captions`, …). */
  callbackUrls: Record<string, string>;
  /** Archive upload target, when one is configured. */
  archiveStorage: ArchiveStorageTarget | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * Where finished archives are uploaded (S3-compatible or Azure), as set by the project API. The secret
 * field of `config` (`secretKey` for S3, `accountKey` for Azure) is stored sealed (AES-256-GCM, see
 * `projects/secret-box.ts`); `projects/archive-storage/target.ts` opens it for uploads.
 */
export interface ArchiveStorageTarget {
  type: 's3' | 'azure';
  config: Record<string, string>;
  fallback: 'none' | 'opentok';
  /** When the target was last set. */
  updatedAt: number;
}

/** A session (room). Sessions never expire. */
export interface SessionRecord {
  sessionId: string;
  /** The owning project's application ID. */
  applicationId: string;
  mediaMode: 'routed' | 'relayed';
  archiveMode: 'manual' | 'always';
  /** IPv4 location hint, or null. */
  location: string | null;
  e2ee: boolean;
  archiveName: string | null;
  archiveResolution: string | null;
  createdAt: number;
}

/** An archive (recording). The full object shape follows the spec's `Archive` schema. */
export interface ArchiveRecord {
  id: string;
  applicationId: string;
  sessionId: string;
  status: 'started' | 'paused' | 'stopped' | 'uploaded' | 'available' | 'expired' | 'failed' | 'deleted';
  createdAt: number;
  updatedAt: number;
  /** The rest of the archive's fields as the API returns them (name, outputMode, resolution, …). */
  data: Record<string, unknown>;
}

/** A live-streaming broadcast. The full object shape follows the spec's `Broadcast` schema. */
export interface BroadcastRecord {
  id: string;
  applicationId: string;
  sessionId: string;
  status: 'started' | 'stopped';
  createdAt: number;
  updatedAt: number;
  data: Record<string, unknown>;
}

/** An Experience Composer render. The full object shape follows the spec's `Render` schema. */
export interface RenderRecord {
  id: string;
  applicationId: string;
  sessionId: string;
  status: 'starting' | 'started' | 'stopped' | 'failed';
  createdAt: number;
  updatedAt: number;
  /** The rest of the render's fields (url, resolution, name, streamId, reason, …). */
  data: Record<string, unknown>;
}

/** A callback registered through the legacy `/callback` API. */
export interface CallbackRecord {
  id: string;
  applicationId: string;
  group: string;
  event: string;
  url: string;
  createdAt: number;
}

/** One webhook delivery and its attempts, kept for the delivery log. */
export interface WebhookDeliveryRecord {
  /** The Standard Webhooks message ID (`msg_…`), reused across retries. */
  id: string;
  applicationId: string;
  url: string;
  event: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A stored response for an `Idempotency-Key`, replayed for repeats within its lifetime. */
export interface IdempotencyRecord {
  applicationId: string;
  key: string;
  /** A fingerprint of method, path and body, so a key reused for a different request is detected. */
  fingerprint: string;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  expiresAt: number;
}

/** A page request for offset/count lists (newest first). */
export interface PageQuery {
  offset: number;
  count: number;
}

/** A page of results plus the total number of matching items. */
export interface Page<T> {
  total: number;
  items: T[];
}

/** Projects. */
export interface ProjectStore {
  create(project: ProjectRecord): Promise<void>;
  /** Finds a project by application ID or API key. */
  get(projectId: string): Promise<ProjectRecord | null>;
  list(): Promise<ProjectRecord[]>;
  update(project: ProjectRecord): Promise<void>;
  delete(applicationId: string): Promise<boolean>;
}

/** Sessions. */
export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | null>;
}

/** Archives. */
export interface ArchiveStore {
  put(archive: ArchiveRecord): Promise<void>;
  get(applicationId: string, archiveId: string): Promise<ArchiveRecord | null>;
  list(applicationId: string, filter: { sessionId?: string } & PageQuery): Promise<Page<ArchiveRecord>>;
  delete(applicationId: string, archiveId: string): Promise<boolean>;
  /** Archives in a given status across all projects (used at start-up to recover after a crash). */
  listByStatus(status: ArchiveRecord['status']): Promise<ArchiveRecord[]>;
}

/** Broadcasts. */
export interface BroadcastStore {
  put(broadcast: BroadcastRecord): Promise<void>;
  get(applicationId: string, broadcastId: string): Promise<BroadcastRecord | null>;
  list(applicationId: string, filter: { sessionId?: string } & PageQuery): Promise<Page<BroadcastRecord>>;
  listByStatus(status: BroadcastRecord['status']): Promise<BroadcastRecord[]>;
}

/** Experience Composer renders. */
export interface RenderStore {
  put(render: RenderRecord): Promise<void>;
  get(applicationId: string, renderId: string): Promise<RenderRecord | null>;
  /** One project's renders, newest first. */
  list(applicationId: string, page: PageQuery): Promise<Page<RenderRecord>>;
  /** Renders in a given status across all projects (used at start-up to recover after a crash). */
  listByStatus(status: RenderRecord['status']): Promise<RenderRecord[]>;
}

/** Legacy callback registrations. */
export interface CallbackStore {
  create(callback: CallbackRecord): Promise<void>;
  list(applicationId: string): Promise<CallbackRecord[]>;
  delete(applicationId: string, callbackId: string): Promise<boolean>;
}

/** Webhook deliveries (the delivery log and the retry queue). */
export interface WebhookDeliveryStore {
  put(delivery: WebhookDeliveryRecord): Promise<void>;
  get(id: string): Promise<WebhookDeliveryRecord | null>;
  /** Deliveries still pending whose next attempt is due at or before `now`, oldest first. */
  due(now: number, limit: number): Promise<WebhookDeliveryRecord[]>;
  list(applicationId: string, page: PageQuery): Promise<Page<WebhookDeliveryRecord>>;
}

/** Idempotency-key records. */
export interface IdempotencyStore {
  get(applicationId: string, key: string): Promise<IdempotencyRecord | null>;
  put(record: IdempotencyRecord): Promise<void>;
  /** Removes expired records; returns how many were removed. */
  purgeExpired(now: number): Promise<number>;
}

/** Single-use JWT IDs (`jti`) for REST auth replay protection. */
export interface JtiStore {
  /**
   * Records `jti` for the given project until `expiresAt`. Returns false when it was already recorded
   * and has not expired (a replay).
   */
  claim(applicationId: string, jti: string, expiresAt: number): Promise<boolean>;
}

/** The whole store. `close()` flushes and releases files or connections. */
export interface Store {
  readonly projects: ProjectStore;
  readonly sessions: SessionStore;
  readonly archives: ArchiveStore;
  readonly broadcasts: BroadcastStore;
  readonly renders: RenderStore;
  readonly callbacks: CallbackStore;
  readonly webhookDeliveries: WebhookDeliveryStore;
  readonly idempotency: IdempotencyStore;
  readonly jtis: JtiStore;
  close(): Promise<void>;
}
