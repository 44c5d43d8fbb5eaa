/**
 * Conversions between SQLite rows and store records. Reads are checked column by column, so a row that
 * does not match the schema fails loudly with the column's name instead of leaking a wrong type.
 */
import type { SQLOutputValue } from 'node:sqlite';
import { decodeSessionId } from '../../tokens/session-id.js';
import type {
  ArchiveRecord,
  ArchiveStorageTarget,
  BroadcastRecord,
  CallbackRecord,
  IdempotencyRecord,
  ProjectRecord,
  RenderRecord,
  SessionRecord,
  WebhookDeliveryRecord,
} from '../types.js';

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, SQLOutputValue>;

function str(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`Column ${column} is not text`);
  return value;
}

function strOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : str(row, column);
}

function int(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw new TypeError(`Column ${column} is not an integer`);
  return value;
}

function intOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : int(row, column);
}

function json<T>(row: Row, column: string): T {
  return JSON.parse(str(row, column)) as T;
}

/** Narrows a text column to one of a fixed set of values. */
function oneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const value = str(row, column);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new TypeError(`Column ${column} holds an unknown value "${value}"`);
  }
  return value as T;
}

const ARCHIVE_STATUSES = [
  'started',
  'paused',
  'stopped',
  'uploaded',
  'available',
  'expired',
  'failed',
  'deleted',
] as const satisfies readonly ArchiveRecord['status'][];

/** Maps a `projects` row to a record. */
export function projectFromRow(row: Row): ProjectRecord {
  return {
    applicationId: str(row, 'application_id'),
    apiKey: str(row, 'api_key'),
    apiSecret: str(row, 'api_secret'),
    publicKeyPem: str(row, 'public_key_pem'),
    webhookSecret: str(row, 'webhook_secret'),
    name: str(row, 'name'),
    status: oneOf(row, 'status', ['ACTIVE', 'SUSPENDED']),
    callbackUrls: json<Record<string, string>>(row, 'callback_urls'),
    archiveStorage: row.archive_storage === null ? null : json<ArchiveStorageTarget>(row, 'archive_storage'),
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
  };
}

/** Maps a project record to named statement parameters. */
export function projectParams(p: ProjectRecord) {
  return {
    application_id: p.applicationId,
    api_key: p.apiKey,
    api_secret: p.apiSecret,
    public_key_pem: p.publicKeyPem,
    webhook_secret: p.webhookSecret,
    name: p.name,
    status: p.status,
    callback_urls: JSON.stringify(p.callbackUrls),
    archive_storage: p.archiveStorage === null ? null : JSON.stringify(p.archiveStorage),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

/** Maps a `sessions` row to a record. */
export function sessionFromRow(row: Row): SessionRecord {
  return {
    sessionId: str(row, 'session_id'),
    applicationId: str(row, 'application_id'),
    mediaMode: oneOf(row, 'media_mode', ['routed', 'relayed']),
    archiveMode: oneOf(row, 'archive_mode', ['manual', 'always']),
    location: strOrNull(row, 'location'),
    e2ee: int(row, 'e2ee') === 1,
    archiveName: strOrNull(row, 'archive_name'),
    archiveResolution: strOrNull(row, 'archive_resolution'),
    createdAt: int(row, 'created_at'),
  };
}

/**
 * Maps a session record to named statement parameters, in the table's key order. `id_decodes` says
 * whether the session ID names the record's own application and creation time, so that a lookup by ID
 * can find the row by its primary key (`sessions.ts`).
 */
export function sessionParams(s: SessionRecord) {
  const named = sessionKeyNamedBy(s.sessionId);
  return {
    application_id: s.applicationId,
    created_at: s.createdAt,
    session_id: s.sessionId,
    media_mode: s.mediaMode,
    archive_mode: s.archiveMode,
    location: s.location,
    e2ee: s.e2ee ? 1 : 0,
    archive_name: s.archiveName,
    archive_resolution: s.archiveResolution,
    id_decodes: named?.applicationId === s.applicationId && named.createdAt === s.createdAt ? 1 : 0,
  };
}

/**
 * The (application, creation time) part of the `sessions` key that a session ID names — a Parley ID
 * embeds both — or null when it names no application or time. Inserts and lookups both use this, so a
 * row flagged `id_decodes = 1` is exactly one its ID finds by primary key.
 */
export function sessionKeyNamedBy(sessionId: string): { applicationId: string; createdAt: number } | null {
  const decoded = decodeSessionId(sessionId);
  if (!decoded?.applicationId || decoded.createdAt === null) return null;
  return { applicationId: decoded.applicationId, createdAt: decoded.createdAt };
}

/** Maps an `archives` row to a record. */
export function archiveFromRow(row: Row): ArchiveRecord {
  return {
    id: str(row, 'id'),
    applicationId: str(row, 'application_id'),
    sessionId: str(row, 'session_id'),
    status: oneOf(row, 'status', ARCHIVE_STATUSES),
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
    data: json<Record<string, unknown>>(row, 'data'),
  };
}

/** Maps a `broadcasts` row to a record. */
export function broadcastFromRow(row: Row): BroadcastRecord {
  return {
    id: str(row, 'id'),
    applicationId: str(row, 'application_id'),
    sessionId: str(row, 'session_id'),
    status: oneOf(row, 'status', ['started', 'stopped']),
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
    data: json<Record<string, unknown>>(row, 'data'),
  };
}

/** Maps a `renders` row to a record. */
export function renderFromRow(row: Row): RenderRecord {
  return {
    id: str(row, 'id'),
    applicationId: str(row, 'application_id'),
    sessionId: str(row, 'session_id'),
    status: oneOf(row, 'status', ['starting', 'started', 'stopped', 'failed']),
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
    data: json<Record<string, unknown>>(row, 'data'),
  };
}

/** Maps an archive, broadcast or render record (same columns) to named statement parameters. */
export function mediaJobParams(r: ArchiveRecord | BroadcastRecord | RenderRecord) {
  return {
    id: r.id,
    application_id: r.applicationId,
    session_id: r.sessionId,
    status: r.status,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    data: JSON.stringify(r.data),
  };
}

/** Maps a `callbacks` row to a record. */
export function callbackFromRow(row: Row): CallbackRecord {
  return {
    id: str(row, 'id'),
    applicationId: str(row, 'application_id'),
    group: str(row, 'callback_group'),
    event: str(row, 'event'),
    url: str(row, 'url'),
    createdAt: int(row, 'created_at'),
  };
}

/** Maps a callback record to named statement parameters. */
export function callbackParams(c: CallbackRecord) {
  return {
    id: c.id,
    application_id: c.applicationId,
    callback_group: c.group,
    event: c.event,
    url: c.url,
    created_at: c.createdAt,
  };
}

/** Maps a `webhook_deliveries` row to a record. */
export function deliveryFromRow(row: Row): WebhookDeliveryRecord {
  return {
    id: str(row, 'id'),
    applicationId: str(row, 'application_id'),
    url: str(row, 'url'),
    event: str(row, 'event'),
    body: str(row, 'body'),
    status: oneOf(row, 'status', ['pending', 'delivered', 'failed']),
    attempts: int(row, 'attempts'),
    lastStatusCode: intOrNull(row, 'last_status_code'),
    lastError: strOrNull(row, 'last_error'),
    nextAttemptAt: intOrNull(row, 'next_attempt_at'),
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
  };
}

/** Maps a webhook delivery record to named statement parameters. */
export function deliveryParams(d: WebhookDeliveryRecord) {
  return {
    id: d.id,
    application_id: d.applicationId,
    url: d.url,
    event: d.event,
    body: d.body,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    next_attempt_at: d.nextAttemptAt,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

/** Maps an `idempotency_keys` row to a record. */
export function idempotencyFromRow(row: Row): IdempotencyRecord {
  return {
    applicationId: str(row, 'application_id'),
    key: str(row, 'idempotency_key'),
    fingerprint: str(row, 'fingerprint'),
    statusCode: int(row, 'status_code'),
    headers: json<Record<string, string>>(row, 'headers'),
    body: str(row, 'body'),
    expiresAt: int(row, 'expires_at'),
  };
}

/** Maps an idempotency record to named statement parameters. */
export function idempotencyParams(r: IdempotencyRecord) {
  return {
    application_id: r.applicationId,
    idempotency_key: r.key,
    fingerprint: r.fingerprint,
    status_code: r.statusCode,
    headers: JSON.stringify(r.headers),
    body: r.body,
    expires_at: r.expiresAt,
  };
}
