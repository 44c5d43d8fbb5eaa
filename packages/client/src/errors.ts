/**
 * The one error catalogue of `@parley/client`. Every error the SDK throws, rejects with or emits is a
 * {@link ParleyClientError} carrying the numeric code and the `OT_*` name that OpenTok.js uses for the same
 * failure, so code ported from OpenTok.js that checks `error.code === 1004` or
 * `error.name === 'OT_AUTHENTICATION_ERROR'` keeps working, while TypeScript code can use `instanceof`.
 *
 * Codes follow OpenTok.js 2.35 (`ExceptionCodes`) and the Vonage client exception-handling guide (1510 for
 * signals).
 */

/** The numeric client error codes, as in OpenTok.js. */
export const ErrorCode = {
  /** The token is invalid or expired, or the project ID does not match the session. */
  AuthenticationError: 1004,
  /** The session ID is malformed or the session does not exist. */
  InvalidSessionId: 1005,
  /** The client could not reach the server or the server refused the connection. */
  ConnectFailed: 1006,
  /** A connect attempt timed out. */
  ConnectionTimeout: 1008,
  /** The operation needs a connected session. */
  NotConnected: 1010,
  /** An argument is invalid; the message names it. */
  InvalidParameter: 1011,
  /** A relayed (peer-to-peer) connection failed. */
  P2PConnectionFailed: 1013,
  /** The project is suspended. */
  TermsOfServiceFailure: 1026,
  /** The session has reached its connection limit. */
  ConnectionLimitExceeded: 1027,
  /** Publishing failed: no permission, no media access, the server refused, or a timeout. */
  UnableToPublish: 1500,
  /** Subscribing failed: no permission, the stream is gone, the server refused, or a timeout. */
  UnableToSubscribe: 1501,
  /** A signal could not be sent (invalid, too large, unknown recipient, server refusal). */
  UnableToSignal: 1510,
  /** `forceDisconnect` failed (no `forcedisconnect` permission, unknown connection). */
  UnableToForceDisconnect: 1520,
  /** `forceUnpublish` failed (no `forceunpublish` permission, unknown stream). */
  UnableToForceUnpublish: 1530,
  /** `forceMuteStream`/`forceMuteAll`/`disableForceMute` failed (no `forcemute` permission). */
  UnableToForceMute: 1540,
  /** The publisher's media connection could not be established. */
  PublisherIceWorkflowFailed: 1553,
  /** The subscriber's media connection could not be established. */
  SubscriberIceWorkflowFailed: 1554,
  /** An unexpected error in the client. */
  JsException: 2000,
  /** The server answered something the client cannot use. */
  UnexpectedServerResponse: 2001,
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The `OT_*` error names, as in OpenTok.js. */
export type ErrorName =
  | 'OT_AUTHENTICATION_ERROR'
  | 'OT_INVALID_SESSION_ID'
  | 'OT_CONNECT_FAILED'
  | 'OT_CONNECTION_LIMIT_EXCEEDED'
  | 'OT_TERMS_OF_SERVICE_FAILURE'
  | 'OT_NOT_CONNECTED'
  | 'OT_INVALID_PARAMETER'
  | 'OT_PERMISSION_DENIED'
  | 'OT_TIMEOUT'
  | 'OT_UNABLE_TO_PUBLISH'
  | 'OT_USER_MEDIA_ACCESS_DENIED'
  | 'OT_STREAM_CREATE_FAILED'
  | 'OT_UNABLE_TO_SUBSCRIBE'
  | 'OT_STREAM_NOT_FOUND'
  | 'OT_STREAM_DESTROYED'
  | 'OT_UNABLE_TO_SIGNAL'
  | 'OT_UNABLE_TO_FORCE_DISCONNECT'
  | 'OT_UNABLE_TO_FORCE_UNPUBLISH'
  | 'OT_UNABLE_TO_FORCE_MUTE'
  | 'OT_ICE_WORKFLOW_FAILED'
  | 'OT_ENCRYPTION_SECRET_MISMATCH'
  | 'OT_INVALID_ENCRYPTION_SECRET'
  | 'OT_UNEXPECTED_SERVER_RESPONSE'
  | 'OT_UNSUPPORTED_BROWSER'
  | 'OT_CANCEL';

/** Options common to every client error. */
export interface ParleyClientErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** The server's status when the error comes from a refused request (`403`, `404`, `413`, …). */
  status?: number;
}

/**
 * Every error of the SDK. `code` is the OpenTok.js numeric code, `name` the `OT_*` name; `status` is set
 * when the server refused a request.
 */
export class ParleyClientError extends Error {
  /** The OpenTok.js numeric error code. */
  readonly code: ErrorCode;
  /** The OpenTok.js error name (`OT_AUTHENTICATION_ERROR`, …). */
  override readonly name: ErrorName;
  /** The server's status when a request was refused. */
  readonly status: number | undefined;

  constructor(code: ErrorCode, name: ErrorName, message: string, options: ParleyClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = name;
    this.status = options.status;
  }
}

/** An argument is invalid; `field` names it. */
export class InvalidParameterError extends ParleyClientError {
  /** The argument at fault (`token`, `options.to`, …). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(ErrorCode.InvalidParameter, 'OT_INVALID_PARAMETER', `${field}: ${message}`);
    this.field = field;
  }
}

/** A request to the server (or a whole operation) did not complete in time. */
export class RequestTimeoutError extends ParleyClientError {
  /** How long the client waited, in milliseconds. */
  readonly timeoutMs: number;

  constructor(code: ErrorCode, what: string, timeoutMs: number) {
    super(code, 'OT_TIMEOUT', `${what} timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The server refused a request with a non-2xx `STATUS`. Internal; converted before it reaches the app. */
export class RequestRefusedError extends Error {
  override readonly name = 'RequestRefusedError';
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`the server answered ${status}${reason ? `: ${reason}` : ''}`);
  }
}

/** The signaling connection ended before a request was answered. Internal; converted like the others. */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
}

/** A short description of a bad argument's value, for the message of an {@link InvalidParameterError}. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
  return `a value of type ${typeof value}`;
}

/**
 * Throws `OT_INVALID_PARAMETER` (field `value`) unless a setter's argument is a boolean, naming the
 * method: `publishAudio(value)`, `subscribeToVideo(value)`, … take nothing else, as in OpenTok.js.
 */
export function assertBooleanArgument(method: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new InvalidParameterError('value', `${method} takes a boolean, not ${describeValue(value)}`);
  }
}

/** Throws `OT_INVALID_PARAMETER` naming `field` unless an optional boolean option is a boolean or absent. */
export function assertOptionalBoolean(field: string, value: unknown): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidParameterError(field, `must be a boolean, not ${describeValue(value)}`);
  }
}

/** The operation requires a connected session. */
export function notConnected(operation: string): ParleyClientError {
  return new ParleyClientError(
    ErrorCode.NotConnected,
    'OT_NOT_CONNECTED',
    `${operation} requires a connected session; call session.connect(token) first`,
  );
}

/**
 * Converts a failure of a server request into the app-facing error of an operation: a timeout keeps its
 * class, a refusal keeps the server's status and reason, a lost connection becomes `OT_NOT_CONNECTED`.
 */
export function toOperationError(
  error: unknown,
  code: ErrorCode,
  name: ErrorName,
  operation: string,
): ParleyClientError {
  if (error instanceof ParleyClientError) return error;
  if (error instanceof RequestRefusedError) {
    return new ParleyClientError(code, name, `${operation} failed: ${error.message}`, {
      cause: error,
      status: error.status,
    });
  }
  if (error instanceof ConnectionLostError) {
    return new ParleyClientError(
      ErrorCode.NotConnected,
      'OT_NOT_CONNECTED',
      `${operation} failed: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ParleyClientError(code, name, `${operation} failed: ${detail}`, { cause: error });
}
