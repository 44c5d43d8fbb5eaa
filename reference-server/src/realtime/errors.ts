/**
 * The signaling error catalogue: every error the gateway answers a client request with, as a Raptor
 * `STATUS` code plus a `reason`. OpenTok.js maps the status to its own error codes (403 at connection
 * create → 1004/1006, `connectionLimitExceeded` → 1027, 403/404/409 at stream create →
 * `OT_STREAM_CREATE_FAILED`, …) and shows `reason` as the error message.
 *
 * These are protocol statuses, not HTTP API errors (those live in `src/http/errors.ts`); the REST live
 * operations translate the few they share.
 */

/** One entry of the catalogue. */
export interface SignalingErrorDefinition {
  /** The Raptor `STATUS` code. */
  readonly status: number;
  /** The default reason (what the client shows when the thrower gives no detail). */
  readonly reason: string;
}

/** The catalogue. */
export const SIGNALING_ERRORS = {
  /** The message is not a Raptor message (bad JSON, bad URI, a missing or ill-typed field). */
  BAD_REQUEST: { status: 400, reason: 'The message is malformed' },
  /** The client sent a request before creating its connection. */
  NOT_CONNECTED: { status: 403, reason: 'Create the connection before any other request' },
  /** The token is missing, malformed, expired, wrongly signed or for another session. */
  INVALID_TOKEN: { status: 403, reason: 'Invalid token' },
  /** The connection's role does not grant the operation. */
  PERMISSION_DENIED: { status: 403, reason: 'The token does not grant this operation' },
  /** The session is full. OpenTok.js maps this reason to `CONNECTION_LIMIT_EXCEEDED` (1027). */
  CONNECTION_LIMIT: { status: 403, reason: 'connectionLimitExceeded' },
  /** The URI names a session, connection, stream or subscriber that does not exist. */
  NOT_FOUND: { status: 404, reason: 'Not found' },
  /** The method is not valid for the resource (e.g. `offer` on a connection). */
  METHOD_NOT_ALLOWED: { status: 405, reason: 'The method is not allowed on this resource' },
  /** Stream create with an `e2ee` setting different from the session's. */
  INCOMPATIBLE_ENCRYPTION: { status: 405, reason: 'IncompatibleEncryptionSettings' },
  /** A client-chosen ID (connection, stream, subscriber) is already in use. */
  ID_TAKEN: { status: 409, reason: 'The ID is already in use' },
  /** A signal type or data is too long. */
  TOO_LARGE: { status: 413, reason: 'The signal type or data is too long' },
  /** The client exceeded its message rate. */
  RATE_LIMITED: { status: 429, reason: 'Too many messages; slow down' },
  /** No media server can carry the stream (a routed session on a server without an SFU). */
  MEDIA_UNAVAILABLE: { status: 503, reason: 'No media server is available for routed sessions' },
  /**
   * A request re-sent after a reconnect whose reply the server no longer keeps (a client holding more
   * unacknowledged replies than the per-client cap). Not run twice; the client may send it anew.
   */
  REPLY_DISCARDED: { status: 500, reason: 'The reply to this repeated request is no longer available' },
  /** The server failed while handling a valid request. */
  INTERNAL: { status: 500, reason: 'Internal error' },
} as const satisfies Record<string, SignalingErrorDefinition>;

/** The name of a catalogue entry. */
export type SignalingErrorName = keyof typeof SIGNALING_ERRORS;

/**
 * An error answered to the client as `STATUS <status>` with body `{"reason": "<reason>"}`. Throw it from
 * request handlers.
 */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  readonly status: number;
  readonly errorName: SignalingErrorName;

  constructor(name: SignalingErrorName, reason?: string) {
    const definition: SignalingErrorDefinition = SIGNALING_ERRORS[name];
    super(reason ?? definition.reason);
    this.status = definition.status;
    this.errorName = name;
  }

  /** The text sent as `reason`. */
  get reason(): string {
    return this.message;
  }
}
