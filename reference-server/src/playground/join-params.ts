/**
 * The body of `POST /playground/api/join`, checked field by field: every refusal names the field and the
 * rule, in the API's error format (`INVALID_FIELD`).
 */
import { ApiError } from '../http/errors.js';
import { MAX_SESSION_ID_LENGTH } from '../tokens/session-id.js';

/** The roles the playground hands out (`publisheronly` has no use in a page that also subscribes). */
export const PLAYGROUND_ROLES = ['publisher', 'moderator', 'subscriber'] as const;
/** A role the playground hands out. */
export type PlaygroundRole = (typeof PLAYGROUND_ROLES)[number];

/** How a new session carries media. */
export const PLAYGROUND_MEDIA_MODES = ['routed', 'relayed'] as const;
/** `routed` goes through the server's SFU; `relayed` is peer to peer. */
export type PlaygroundMediaMode = (typeof PLAYGROUND_MEDIA_MODES)[number];

/** Longest display name, in characters. */
export const MAX_DISPLAY_NAME_LENGTH = 64;

/** A validated join request. */
export interface JoinParams {
  /** Shown to the others (connection data and stream name). */
  name: string;
  role: PlaygroundRole;
  /** The session to join; null creates a new one. */
  sessionId: string | null;
  /** The media mode of a new session (ignored when joining an existing one). */
  mediaMode: PlaygroundMediaMode;
}

const invalid = (field: string, rule: string): ApiError =>
  new ApiError('INVALID_FIELD', `body.${field} ${rule}`);

/**
 * Checks that `value` has the form of a session ID (whether the session exists is checked later, against
 * the store). `field` names it in the error, e.g. `body.sessionId` or `path.sessionId`.
 */
export function checkSessionId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_SESSION_ID_LENGTH || /\s/.test(value)) {
    throw new ApiError(
      'INVALID_FIELD',
      `${field} must be a session ID (at most ${MAX_SESSION_ID_LENGTH} characters, no spaces)`,
    );
  }
  return value;
}

/** Validates the request body. Throws `INVALID_FIELD` naming the first bad field. */
export function parseJoinParams(body: unknown): JoinParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(
      'INVALID_FIELD',
      'body must be a JSON object with name, role and optionally sessionId',
    );
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!['name', 'role', 'sessionId', 'mediaMode'].includes(key)) {
      throw invalid(key, 'is not a known field (expected name, role, sessionId, mediaMode)');
    }
  }

  const { name, role, sessionId, mediaMode } = fields;
  if (typeof name !== 'string' || name.trim() === '') throw invalid('name', 'must be a non-empty string');
  if ([...name.trim()].length > MAX_DISPLAY_NAME_LENGTH) {
    throw invalid('name', `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`);
  }
  if (typeof role !== 'string' || !(PLAYGROUND_ROLES as readonly string[]).includes(role)) {
    throw invalid('role', `must be one of ${PLAYGROUND_ROLES.join(', ')}`);
  }
  const session =
    sessionId === undefined || sessionId === null || sessionId === ''
      ? null
      : checkSessionId(sessionId, 'body.sessionId');
  if (mediaMode !== undefined && !(PLAYGROUND_MEDIA_MODES as readonly unknown[]).includes(mediaMode)) {
    throw invalid('mediaMode', `must be one of ${PLAYGROUND_MEDIA_MODES.join(', ')}`);
  }
  return {
    name: name.trim(),
    role: role as PlaygroundRole,
    sessionId: session,
    mediaMode: (mediaMode as PlaygroundMediaMode | undefined) ?? 'relayed',
  };
}
