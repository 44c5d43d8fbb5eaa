/**
 * One HTTP exchange over undici: a keep-alive connection pool per origin, a deadline per attempt, the
 * caller's `AbortSignal`, and failures turned into the SDK's connection errors. Retrying is not done
 * here but in the request executor, which calls `send` once per attempt.
 */
import { Agent, type Dispatcher, request } from 'undici';
import { bufferedExchange, ExchangeAbortedError, flattenHeaders } from './buffered-exchange.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  type APIError,
  APIUserAbortError,
  type ResponseHeaders,
} from './errors.js';

/** Connection-pool and timeout settings of the default undici agent. */
export interface TransportOptions {
  /** Default deadline of one attempt (connect, send, headers and body), in milliseconds. */
  timeoutMs: number;
  /** Deadline of establishing a connection (TCP + TLS), in milliseconds. */
  connectTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open, in milliseconds. */
  keepAliveTimeoutMs: number;
  /** Most concurrent connections per origin (`null` for no limit). */
  connections: number | null;
  /** A dispatcher to use instead of the SDK's own agent (a proxy agent, a mock, …). Not closed by the SDK. */
  dispatcher?: Dispatcher | undefined;
}

/** One attempt to send. */
export interface HttpRequest {
  method: string;
  /** The absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** This attempt's deadline, in milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Return a successful response's body as a stream instead of reading it: the deadline then covers
   * only the wait for the response headers, and the caller's signal keeps working while it is read.
   */
  stream?: boolean | undefined;
}

/** A response with its body read. */
export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  /**
   * Parsed JSON when the body is JSON, the text otherwise, `undefined` when empty; a `Readable` for a
   * successful streamed request.
   */
  body: unknown;
}

/** Sends single HTTP requests over a shared keep-alive pool. */
export class Transport {
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;

  constructor(options: TransportOptions) {
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.connections,
        keepAliveTimeout: options.keepAliveTimeoutMs,
        // The per-attempt deadline below is the real limit; undici's own timers must not fire first.
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        connect: { timeout: options.connectTimeoutMs },
      });
  }

  /**
   * Sends one request and reads the whole response. Throws {@link APIUserAbortError} when `signal`
   * fires, {@link APIConnectionTimeoutError} past the deadline and {@link APIConnectionError} when no
   * response arrives; HTTP error statuses are returned, not thrown.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    if (req.signal?.aborted) {
      throw new APIUserAbortError(undefined, {
        request: { method: req.method, url: req.url },
        cause: req.signal.reason,
      });
    }
    if (req.stream) return this.#sendStreaming(req);
    try {
      const response = await bufferedExchange({
        dispatcher: this.#dispatcher,
        url: req.url,
        method: req.method,
        headers: req.headers,
        body: req.body,
        timeoutMs: req.timeoutMs,
        signal: req.signal,
      });
      return {
        status: response.status,
        headers: response.headers,
        body: parseBody(response.text, response.headers['content-type']),
      };
    } catch (error) {
      const cause = error instanceof ExchangeAbortedError ? error.abortCause : undefined;
      throw connectionError(req, error, cause === 'user', cause === 'deadline');
    }
  }

  /**
   * The streamed variant: `undici.request()`, whose body is a `Readable`. The deadline covers only the
   * wait for the response headers, and the caller's signal keeps working while the body is read.
   */
  async #sendStreaming(req: HttpRequest): Promise<HttpResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), req.timeoutMs);
    const onUserAbort = (): void => deadline.abort();
    req.signal?.addEventListener('abort', onUserAbort, { once: true });
    let keepUserAbort = false;
    try {
      const response = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: deadline.signal,
        dispatcher: this.#dispatcher,
      });
      const headers = flattenHeaders(response.headers);
      if (response.statusCode < 400) {
        clearTimeout(timer);
        const detach = (): void => req.signal?.removeEventListener('abort', onUserAbort);
        response.body.once('close', detach);
        keepUserAbort = true;
        return { status: response.statusCode, headers, body: response.body };
      }
      const text = await response.body.text();
      return { status: response.statusCode, headers, body: parseBody(text, headers['content-type']) };
    } catch (error) {
      throw connectionError(req, error, req.signal?.aborted === true, deadline.signal.aborted);
    } finally {
      clearTimeout(timer);
      if (!keepUserAbort) req.signal?.removeEventListener('abort', onUserAbort);
    }
  }

  /** Closes the SDK's own connection pool (a dispatcher passed in options is left to its owner). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }
}

const UNDICI_TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function isUndiciTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNDICI_TIMEOUT_CODES.has(code);
}

/** The SDK error for an attempt that got no (complete) response. */
function connectionError(
  req: HttpRequest,
  error: unknown,
  userAborted: boolean,
  deadlinePassed: boolean,
): APIError {
  const description = { method: req.method, url: req.url };
  if (userAborted)
    return new APIUserAbortError(undefined, { request: description, cause: req.signal?.reason });
  if (deadlinePassed || isUndiciTimeout(error)) {
    return new APIConnectionTimeoutError(`Request timed out after ${req.timeoutMs} ms`, {
      request: description,
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new APIConnectionError(`Connection error: ${reason}`, { request: description, cause: error });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  const looksJson = /^\s*[[{]/.test(text);
  if ((contentType !== undefined && /[/+]json\b/i.test(contentType)) || looksJson) {
    try {
      return JSON.parse(text);
    } catch {
      // A body that claims to be JSON but is not is returned as text, so errors still show it.
      return text;
    }
  }
  return text;
}
