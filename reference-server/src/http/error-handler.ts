/**
 * Turns everything thrown while handling a request into the API's error body `{ code, message }`. Errors
 * of the catalogue keep their status; Fastify's own errors (body too large, unparsable JSON, bad URL
 * encoding) map onto catalogue entries; anything else is a 500 whose details go only to the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { addLogDetails } from './request-log.js';

const FRAMEWORK_ERRORS: Record<string, (error: FastifyError) => ApiError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (e) => new ApiError('BODY_TOO_LARGE', e.message),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => new ApiError('UNSUPPORTED_MEDIA_TYPE', e.message),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new ApiError('MALFORMED_BODY', 'The request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new ApiError('MALFORMED_BODY', 'The JSON request body is empty'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new ApiError('MALFORMED_BODY', 'The Content-Length header does not match the body length'),
  FST_ERR_BAD_URL: (e) => new ApiError('INVALID_FIELD', `path is not valid URL encoding: ${e.message}`),
  FST_ERR_MAX_PARAM_LENGTH: () =>
    new ApiError('INVALID_FIELD', 'path has a parameter longer than the server accepts'),
};

/** Maps any thrown value to a catalogue error. Unknown errors become `INTERNAL`. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as Partial<FastifyError> | null;
  const code = typeof fastifyError?.code === 'string' ? fastifyError.code : '';
  const mapped = FRAMEWORK_ERRORS[code];
  if (mapped) return mapped(fastifyError as FastifyError);
  if (error instanceof SyntaxError || (fastifyError?.statusCode === 400 && code.startsWith('FST_ERR_CTP'))) {
    return new ApiError('MALFORMED_BODY', 'The request body could not be parsed');
  }
  return new ApiError('INTERNAL', undefined, { cause: error });
}

/** Sends `error` as an API error response. */
export function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply
    .code(error.status)
    .headers(error.headers)
    .type('application/json; charset=utf-8')
    .send(error.toBody());
}

/** The app-wide Fastify error handler. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error);
  if (apiError.status >= 500) {
    // The stack goes into a line of its own; the request's `request completed` line follows.
    request.log.error({ err: error }, 'request failed');
  }
  // A refused request is explained on its single `request completed` line.
  addLogDetails(request, { code: apiError.code, error: apiError.message });
  return sendApiError(reply, apiError);
}
