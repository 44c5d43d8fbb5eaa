/** Checks shared by the request handlers. */
import { SignalingError } from '../errors.js';
import { CONNECTION_ID_PATTERN } from '../gateway/rumor-client.js';
import type { LiveSession } from '../session/live-session.js';
import type { LiveConnection, LiveStream, Permission } from '../session/types.js';

/** Throws `PERMISSION_DENIED` unless the connection's role grants `permission`. */
export function requirePermission(connection: LiveConnection, permission: Permission, action: string): void {
  if (!connection.permissions.includes(permission)) {
    throw new SignalingError('PERMISSION_DENIED', `A ${connection.role} token may not ${action}`);
  }
}

/** Throws `BAD_REQUEST` unless `id` is a well-formed client-chosen ID. */
export function requireId(id: string | undefined, what: string): string {
  if (id === undefined || !CONNECTION_ID_PATTERN.test(id)) {
    throw new SignalingError('BAD_REQUEST', `The ${what} ID must be 1-255 characters of A-Z a-z 0-9 _ . ~ -`);
  }
  return id;
}

/** The stream the URI names, or `NOT_FOUND`. Streams not yet announced are visible only to their publisher. */
export function requireStream(
  session: LiveSession,
  streamId: string | undefined,
  asker: LiveConnection,
): LiveStream {
  const stream = streamId === undefined ? undefined : session.stream(streamId);
  if (!stream || (!stream.announced && stream.connectionId !== asker.id)) {
    throw new SignalingError('NOT_FOUND', `Stream ${streamId} was not found`);
  }
  return stream;
}

/** Reads an optional string field of a client's content, or throws `BAD_REQUEST` naming it. */
export function optionalString(
  content: Record<string, unknown>,
  field: string,
  max: number,
): string | undefined {
  const value = content[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SignalingError('BAD_REQUEST', `content.${field} must be a string`);
  if (value.length > max) {
    throw new SignalingError('BAD_REQUEST', `content.${field} must be at most ${max} characters`);
  }
  return value;
}

/** Reads an optional boolean field of a client's content, or throws `BAD_REQUEST` naming it. */
export function optionalBoolean(content: Record<string, unknown>, field: string): boolean | undefined {
  const value = content[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new SignalingError('BAD_REQUEST', `content.${field} must be a boolean`);
  return value;
}
