/**
 * The SDK's error catalogue: every error it throws is one of these classes, all exported from the
 * package root as runtime values so `instanceof` works in applications.
 *
 * ```
 * ParleyError
 * ├─ InvalidArgumentError             bad input caught before any request (names the field)
 * ├─ WebhookVerificationError         a webhook whose signature or timestamp does not verify
 * └─ APIError                         anything that went wrong talking to the server
 *    ├─ BadRequestError 400 · AuthenticationError 401 · PermissionDeniedError 403 · NotFoundError 404
 *    ├─ MethodNotAllowedError 405 · ConflictError 409 · PayloadTooLargeError 413 · RateLimitError 429
 *    ├─ InternalServerError ≥500
 *    ├─ APIConnectionError ─ APIConnectionTimeoutError
 *    └─ APIUserAbortError
 * ```
 */

/** Response headers as a plain object with lower-case names. */
export type ResponseHeaders = Readonly<Record<string, string>>;

/** The root of every error this SDK throws. */
export class ParleyError extends Error {
  override name = 'ParleyError';
}

/**
 * An argument failed validation before any request was sent (a missing ID, a role that does not exist,
 * connection data over 1000 characters, …). `field` names the offending argument.
 */
export class InvalidArgumentError extends ParleyError {
  override name = 'InvalidArgumentError';
  /** The argument or option that broke a rule, e.g. `options.role`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.field = field;
  }
}

/** A webhook's signature, timestamp or body did not verify. Answer such requests with 400 or 401. */
export class WebhookVerificationError extends ParleyError {
  override name = 'WebhookVerificationError';
}

/** Where a failed request was going, kept on {@link APIError} for logs. */
export interface RequestDescription {
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /** The full request URL. */
  url: string;
}

/** Constructor fields shared by every {@link APIError}. */
export interface APIErrorInit {
  status?: number | undefined;
  body?: unknown;
  headers?: ResponseHeaders | undefined;
  request?: RequestDescription | undefined;
  cause?: unknown;
}

/**
 * A request failed: the server answered with an error status, or no answer arrived. The subclass tells
 * which; {@link APIError.generate} picks it from the status code.
 */
export class APIError extends ParleyError {
  override name = 'APIError';
  /** The HTTP status, or `undefined` when no response arrived (connection errors, timeouts, aborts). */
  readonly status: number | undefined;
  /**
   * The server's error code from the body's `code` field (`40401`, …): the first three digits are the
   * HTTP status and the last two identify the error. `undefined` if the body carried none.
   */
  readonly code: number | undefined;
  /** The request ID from the `x-request-id` response header: quote it when reporting a problem. */
  readonly requestId: string | undefined;
  /** The raw response body: parsed JSON when it was JSON, else the text (or `undefined`). */
  readonly body: unknown;
  /** The response headers (lower-case names), empty when no response arrived. */
  readonly headers: ResponseHeaders;
  /** The method and URL of the failed request. */
  readonly request: RequestDescription | undefined;

  constructor(message: string, init: APIErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.body = init.body;
    this.headers = init.headers ?? {};
    this.request = init.request;
    this.code = errorCodeOf(init.body);
    this.requestId = this.headers['x-request-id'] ?? this.headers['x-vonage-request-id'];
  }

  /**
   * Builds the error for an HTTP error response: the subclass matching `status` (see the catalogue
   * above), or a plain {@link APIError} for statuses without one (408, 422, …).
   */
  static generate(
    status: number,
    body: unknown,
    headers: ResponseHeaders,
    request?: RequestDescription,
  ): APIError {
    const message = describeErrorResponse(status, body);
    const init: APIErrorInit = { status, body, headers, request };
    const ErrorClass = status >= 500 ? InternalServerError : STATUS_ERRORS[status];
    return ErrorClass ? new ErrorClass(message, init) : new APIError(message, init);
  }
}

/** 400: the request broke a rule; the message names the field. */
export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
/** 401: the credentials are missing, malformed, expired or wrongly signed. */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
/** 403: valid credentials that do not grant access to this project or resource. */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
/** 404: the resource does not exist in this project. */
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
/** 405: the method is not allowed here, e.g. changing the streams of an archive in `auto` stream mode. */
export class MethodNotAllowedError extends APIError {
  override name = 'MethodNotAllowedError';
}
/** 409: the request conflicts with the resource's state, e.g. stopping an archive that is not recording. */
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
/** 413: the body or one of its fields is too large, e.g. signal data over 8 kB. */
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
/** 429: too many requests. The SDK has already retried (obeying `Retry-After`) before throwing this. */
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
  /** The server's `Retry-After`, in seconds, when it sent one. */
  get retryAfterSeconds(): number | undefined {
    const value = Number(this.headers['retry-after']);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  }
}
/** A 5xx status: the server failed on a valid request. Retried automatically (except 501 Not Implemented) before being thrown. */
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/** No response arrived: DNS failure, refused or reset connection, TLS error, … Retried automatically. */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';
  constructor(message: string, init: APIErrorInit = {}) {
    super(message, { ...init, status: undefined });
  }
}

/** No response arrived within the request's `timeout`. Retried automatically. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';
}

/** The caller's `AbortSignal` fired. Never retried. */
export class APIUserAbortError extends APIError {
  override name = 'APIUserAbortError';
  constructor(message = 'The request was aborted', init: APIErrorInit = {}) {
    super(message, { ...init, status: undefined });
  }
}

type APIErrorClass = new (message: string, init: APIErrorInit) => APIError;

const STATUS_ERRORS: Readonly<Record<number, APIErrorClass>> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  405: MethodNotAllowedError,
  409: ConflictError,
  413: PayloadTooLargeError,
  429: RateLimitError,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCodeOf(body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  const code = body.code;
  if (typeof code === 'number' && Number.isInteger(code)) return code;
  // Some legacy OpenTok endpoints send the code as a string.
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  return undefined;
}

function describeErrorResponse(status: number, body: unknown): string {
  let detail: string | undefined;
  if (isRecord(body)) {
    const message = body.message ?? body.error ?? body.title;
    if (typeof message === 'string' && message !== '') detail = message;
  } else if (typeof body === 'string' && body.trim() !== '') {
    detail = body.trim().slice(0, 500);
  }
  const code = errorCodeOf(body);
  const suffix = code === undefined ? '' : ` (code ${code})`;
  return `${status} ${detail ?? 'status code (no body)'}${suffix}`;
}
