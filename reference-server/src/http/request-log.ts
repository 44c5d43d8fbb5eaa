/**
 * One log line per request. Fastify's default logs two lines for every request ("incoming request" and
 * "request completed"), which was about a sixth of the CPU time of an authenticated request (see
 * `bench/PROFILE.md`). This log controller writes a single `request completed` line when the response
 * has finished, with everything the two lines said: request ID (the logger's `reqId` binding), method,
 * URL, remote address, status and duration — plus whatever the handler attached with
 * {@link addLogDetails} (e.g. the created session's ID), so handlers need no line of their own.
 *
 * Fastify's "incoming request" line is kept at `debug` level, for following requests that never finish;
 * at `info` it costs one call of pino's no-op.
 *
 * Fastify calls {@link RequestLog.requestCompleted} once per finished (or failed) response, after the
 * `onResponse` hooks — but only when it has a logger or `onResponse` hooks to run, so metrics stay in a hook.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { DeferredRequestLogger } from './request-logger.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Fields for this request's `request completed` line; see {@link addLogDetails}. Null when none. */
    logDetails: Record<string, unknown> | null;
  }
}

/**
 * Adds fields to the request's single `request completed` line (later calls add to earlier ones). Needs
 * the `logDetails` request decorator, which `buildApp` registers.
 */
export function addLogDetails(request: FastifyRequest, fields: Record<string, unknown>): void {
  request.logDetails = request.logDetails ? { ...request.logDetails, ...fields } : fields;
}

/** Fastify's log controller, writing one line per request. */
export class RequestLog extends LogController {
  /** The request line, at debug level only. */
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug(
      { method: request.method, url: request.url, remoteAddress: request.ip },
      'incoming request',
    );
  }

  /** The single line of a finished request (`error` level when writing the response failed). */
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      // Milliseconds, rounded to a microsecond: enough precision, and a short number in the log.
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      remoteAddress: request.ip,
      ...request.logDetails,
    };
    const log = reply.log;
    if (log instanceof DeferredRequestLogger) {
      if (error) log.writeLine('error', { ...line, err: error }, 'request errored');
      else log.writeLine('info', line, 'request completed');
    } else if (error) log.error({ ...line, err: error }, 'request errored');
    else log.info(line, 'request completed');
  }
}
