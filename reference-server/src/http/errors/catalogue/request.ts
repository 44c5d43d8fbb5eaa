import { define, type ErrorDefinition } from '../define.js';

/** Errors of the request itself, whatever the endpoint: validation, parsing, routing, idempotency, size and rate limits, and server failures. */
export const REQUEST_ERRORS = {
  INVALID_FIELD: define(
    40001,
    'The request is invalid',
    'A path parameter, query parameter, header or body field is missing, has the wrong type or breaks a rule of the API specification. The message names the field (`body.archiveMode`, `query.count`, `path.sessionId`) and the rule.',
    'Fix the named field so it follows the rule in the message and the API reference.',
  ),
  MALFORMED_BODY: define(
    40002,
    'The request body could not be parsed',
    'The body is not valid JSON (or not valid form encoding) for its `Content-Type`.',
    'Send a well-formed body that matches the `Content-Type` header.',
  ),
  ROUTE_NOT_FOUND: define(
    40402,
    'No such endpoint',
    'No endpoint of the API matches the path.',
    'Check the path against the API reference (paths start with `/v2/project/{projectId}` or `/session/create`).',
  ),
  METHOD_NOT_ALLOWED: define(
    40502,
    'The method is not allowed on this endpoint',
    'The path exists but does not support the HTTP method. The `Allow` header lists the methods it supports.',
    'Use one of the methods in the `Allow` header.',
  ),
  IDEMPOTENCY_KEY_IN_USE: define(
    40950,
    'A request with this Idempotency-Key is still being processed',
    'Another request with the same `Idempotency-Key` for the same project has not finished yet.',
    'Wait for the first request to finish, then retry with the same key to get its stored response.',
  ),
  IDEMPOTENCY_KEY_REUSED: define(
    40951,
    'The Idempotency-Key was already used for a different request',
    'Within 24 hours an `Idempotency-Key` may only be repeated with the same method, path and body.',
    'Use a new key for a new request.',
  ),
  BODY_TOO_LARGE: define(
    41301,
    'The request body is too large',
    'The body is larger than the server accepts (1 MiB by default, `--body-limit`).',
    'Send a smaller body.',
  ),
  FIELD_TOO_LARGE: define(
    41302,
    'A request field is too large',
    'A field exceeds the maximum size the API specification allows, on an endpoint that reports oversized fields with 413.',
    'Shorten the named field.',
  ),
  UNSUPPORTED_MEDIA_TYPE: define(
    41501,
    'The Content-Type is not supported by this endpoint',
    'The endpoint accepts other body types (e.g. `POST /session/create` takes `application/x-www-form-urlencoded`).',
    'Send the body with one of the content types named in the message.',
  ),
  RATE_LIMITED: define(
    42901,
    'Too many requests',
    'The project exceeded its request rate (a token bucket per project: `--rate-limit` requests per second with bursts up to `--rate-burst`).',
    'Wait the number of seconds in the `Retry-After` header, then retry.',
  ),
  INTERNAL: define(
    50001,
    'An internal error occurred',
    'The server failed while handling a valid request. The log line with the same request ID has the details.',
    'Retry later; if it persists, report it with the `X-Request-Id` of the response.',
  ),
  NOT_IMPLEMENTED: define(
    50101,
    'This operation is not implemented by this server yet',
    'The operation is part of the API but this server version does not implement it yet.',
    'Use a server version that implements it; the message names the operation.',
  ),
  NOT_READY: define(
    50301,
    'The server is not ready',
    'The server is starting up or shutting down and does not accept requests at the moment.',
    'Retry after a short delay, or against another instance.',
  ),
} as const satisfies Record<string, ErrorDefinition>;
