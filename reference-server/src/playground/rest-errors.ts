/**
 * How an error answer of the REST API becomes the playground's own answer: the same catalogue entry (so
 * the same status and code — a 404 `40421` when nobody is connected stays one), the API's message with
 * what the playground was doing, and `Retry-After` kept, so the page can explain it as precisely as an
 * application built on the API would.
 */
import type { LightMyRequestResponse } from 'fastify';
import { ApiError, ERRORS, type ErrorName } from '../http/errors.js';

/** The catalogue entry for each API error code. */
const NAME_BY_CODE = new Map<number, ErrorName>(
  (Object.entries(ERRORS) as [ErrorName, { code: number }][]).map(([name, entry]) => [entry.code, name]),
);

/**
 * Re-raises an error answer of the REST API as the playground's answer. A body without a known code
 * (which the API never sends) becomes a 500 that still carries the status and message, for the log.
 */
export function reissue(response: LightMyRequestResponse, doing: string): ApiError {
  let message = `${response.statusCode} while ${doing}`;
  let name: ErrorName = 'INTERNAL';
  try {
    const body = response.json() as { code?: unknown; message?: unknown };
    if (typeof body.message === 'string') message = `${body.message} (while ${doing})`;
    const known = typeof body.code === 'number' ? NAME_BY_CODE.get(body.code) : undefined;
    // Only trust the code when it agrees with the status: the catalogue derives one from the other.
    if (known && ERRORS[known].status === response.statusCode) name = known;
  } catch {
    // Not JSON: keep the generic message.
  }
  const retryAfter = response.headers['retry-after'];
  return new ApiError(
    name,
    message,
    typeof retryAfter === 'string' ? { headers: { 'retry-after': retryAfter } } : {},
  );
}
