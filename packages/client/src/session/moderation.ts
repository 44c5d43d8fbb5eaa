/**
 * The moderation requests, as OpenTok.js sends them: `delete` on a connection (forceDisconnect) or a
 * stream (forceUnpublish), and `update` with `{reason: 'mute'}` on a stream (forceMuteStream) or on the
 * session itself (forceMuteAll, disableForceMute). Each names the permission the token must grant, checked
 * locally first as OpenTok.js does, and the error the app gets when it is missing or the server refuses.
 */
import type { RaptorKey } from '@parley/protocol';
import { Connection, type Permission } from '../Connection.js';
import { ErrorCode, InvalidParameterError } from '../errors.js';
import { Stream } from '../Stream.js';
import type { RequestFailure } from './link.js';

/** One moderation request, before it is addressed to the session. */
export interface ModerationRequest {
  /** The permission the client's connection must have. */
  permission: Permission;
  method: 'delete' | 'update';
  /** The URI path inside the session (empty: the session itself). */
  path: [RaptorKey, string][];
  content: Record<string, unknown>;
  failure: RequestFailure;
}

const MUTE_FAILURE = { code: ErrorCode.UnableToForceMute, name: 'OT_UNABLE_TO_FORCE_MUTE' } as const;

/** `forceDisconnect(connection)`: rejects with `OT_UNABLE_TO_FORCE_DISCONNECT` (1520). */
export function forceDisconnectRequest(connection: Connection | string): ModerationRequest {
  return {
    permission: 'forcedisconnect',
    method: 'delete',
    path: [['connection', idOf(connection, 'connection')]],
    content: {},
    failure: {
      code: ErrorCode.UnableToForceDisconnect,
      name: 'OT_UNABLE_TO_FORCE_DISCONNECT',
      operation: 'forceDisconnect',
    },
  };
}

/** `forceUnpublish(stream)`: rejects with `OT_UNABLE_TO_FORCE_UNPUBLISH` (1530). */
export function forceUnpublishRequest(stream: Stream | string): ModerationRequest {
  return {
    permission: 'forceunpublish',
    method: 'delete',
    path: [['stream', idOf(stream, 'stream')]],
    content: {},
    failure: {
      code: ErrorCode.UnableToForceUnpublish,
      name: 'OT_UNABLE_TO_FORCE_UNPUBLISH',
      operation: 'forceUnpublish',
    },
  };
}

/** `forceMuteStream(stream)`: rejects with `OT_UNABLE_TO_FORCE_MUTE` (1540). */
export function forceMuteStreamRequest(stream: Stream | string): ModerationRequest {
  return {
    permission: 'forcemute',
    method: 'update',
    path: [['stream', idOf(stream, 'stream')]],
    content: { reason: 'mute', channels: ['audio'], active: true, locked: false },
    failure: { ...MUTE_FAILURE, operation: 'forceMuteStream' },
  };
}

/** `forceMuteAll(excludedStreams)` (`active: true`) or `disableForceMute()` (`active: false`). */
export function sessionMuteRequest(
  active: boolean,
  excludedStreams: (Stream | string)[] = [],
): ModerationRequest {
  if (!Array.isArray(excludedStreams))
    throw new InvalidParameterError('excludedStreams', 'must be an array of streams');
  const content: Record<string, unknown> = { reason: 'mute', channels: ['audio'], active, locked: false };
  if (active) content.exclusion = excludedStreams.map((stream) => idOf(stream, 'excludedStreams[]'));
  return {
    permission: 'forcemute',
    method: 'update',
    path: [],
    content,
    failure: { ...MUTE_FAILURE, operation: active ? 'forceMuteAll' : 'disableForceMute' },
  };
}

/** The ID of a connection or stream given as an object or an ID; throws naming `field` otherwise. */
function idOf(target: Connection | Stream | string, field: string): string {
  if (typeof target === 'string' && target !== '') return target;
  if (target instanceof Connection) return target.connectionId;
  if (target instanceof Stream) return target.streamId;
  throw new InvalidParameterError(field, 'must be a Connection, a Stream or an ID string');
}
