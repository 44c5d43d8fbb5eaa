/**
 * The request executor: turns one logical API call into HTTP attempts. It builds the URL and headers,
 * signs each attempt, keys every POST with one `Idempotency-Key` reused across retries, retries
 * connection errors, 408, 429 and 5xx with backoff, and maps error responses to typed errors.
 */
import { randomUUID } from 'node:crypto';
import type { Authenticator } from './auth.js';
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  InvalidArgumentError,
  type ResponseHeaders,
} from './errors.js';
import { type Logger, redactHeaders } from './logger.js';
import { isRetryableResponse, type RetryPolicy, retryDelayMs } from './retry.js';
import type { HttpRequest, HttpResponse, Transport } from './transport.js';

/** Per-call overrides, accepted as the last argument of every resource method. */
export interface RequestOptions {
  /** Deadline of each attempt in milliseconds (overrides the client's `timeout`). */
  timeout?: number;
  /** Retries for this call (overrides the client's `maxRetries`). */
  maxRetries?: number;
  /** Aborts the call, including any wait between retries; the call then throws `APIUserAbortError`. */
  signal?: AbortSignal;
  /**
   * The `Idempotency-Key` of a POST. By default each POST gets a random key, reused across its retries;
   * pass your own to deduplicate across process restarts.
   */
  idempotencyKey?: string;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

/** Which credentials sign a request. */
export type AuthScope = 'project' | 'account';

/** A value of a query-string parameter; `undefined` leaves the parameter out. */
export type QueryValue = string | number | boolean | undefined;

/** One logical API call, before retries. */
export interface APIRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path after the base URL, already percent-encoded (see `path`). */
  path: string;
  /** An absolute URL to call instead of `path` (signed download links). */
  url?: URL | undefined;
  query?: Record<string, QueryValue> | undefined;
  /** A JSON body. */
  body?: unknown;
  /** A form-encoded body (`POST /session/create`), instead of `body`. */
  form?: Record<string, string | undefined> | undefined;
  /** Which credentials sign the call; `project` by default, `none` for signed links. */
  auth?: AuthScope | 'none';
  /** Return a successful response's body as a Node `Readable` instead of parsing it. */
  stream?: boolean;
  /** Extra headers (e.g. `accept` for session creation). */
  headers?: Record<string, string>;
}

/** Adds no headers: for signed links, which carry their own authorization. */
const NO_AUTH: Authenticator = { scheme: 'none', headers: async () => ({}) };

/** Everything the executor needs, resolved once by the client. */
export interface RequestExecutorConfig {
  baseUrl: URL;
  transport: Transport;
  authenticators: Partial<Record<AuthScope, Authenticator>>;
  logger: Logger;
  retry: RetryPolicy;
  timeoutMs: number;
  userAgent: string;
  defaultHeaders: Readonly<Record<string, string>>;
  /** Waits between retries; replaceable so tests can record delays instead of sleeping. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Randomness of the backoff jitter; replaceable for deterministic tests. */
  random?: () => number;
}

/** Executes API calls; shared by every resource of a client. */
export class RequestExecutor {
  readonly #config: RequestExecutorConfig;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(config: RequestExecutorConfig) {
    this.#config = config;
    this.#sleep = config.sleep ?? abortableSleep;
  }

  /** The API's base URL. */
  get baseUrl(): URL {
    return new URL(this.#config.baseUrl);
  }

  /** The logger the client was configured with (already level-filtered). */
  get logger(): Logger {
    return this.#config.logger;
  }

  /** Sends `req`, retrying when allowed, and returns the parsed response body. */
  async request<T>(req: APIRequest, options: RequestOptions = {}): Promise<T> {
    const response = await this.requestWithResponse(req, options);
    return response.body as T;
  }

  /** Like {@link request} but returns the whole final response (status, headers and body). */
  async requestWithResponse(req: APIRequest, options: RequestOptions = {}): Promise<HttpResponse> {
    const scope = req.auth ?? 'project';
    const authenticator = scope === 'none' ? NO_AUTH : this.#config.authenticators[scope];
    if (!authenticator) {
      throw new InvalidArgumentError(
        scope === 'account' ? 'accountApiKey' : 'credentials',
        scope === 'account'
          ? 'and accountApiSecret are required for project-management calls'
          : 'are required: pass applicationId and privateKey, or apiKey and apiSecret',
      );
    }
    const maxRetries = options.maxRetries ?? this.#config.retry.maxRetries;
    const timeoutMs = options.timeout ?? this.#config.timeoutMs;
    validateNonNegativeInteger(maxRetries, 'options.maxRetries');
    validatePositive(timeoutMs, 'options.timeout');

    const url = this.#buildUrl(req);
    const { body, contentType } = encodeBody(req);
    // Keyed once per logical call, before the retry loop, and for every POST even with retries off:
    // a 5xx or a dropped connection can surface after the server acted, and only a key makes the
    // retry (automatic or the caller's own) safe.
    const idempotencyKey = req.method === 'POST' ? (options.idempotencyKey ?? randomUUID()) : undefined;

    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': this.#config.userAgent,
        ...lowerCaseKeys(this.#config.defaultHeaders),
        ...lowerCaseKeys(req.headers),
        ...lowerCaseKeys(options.headers),
        ...(await authenticator.headers()),
      };
      if (contentType) headers['content-type'] = contentType;
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      if (attempt > 0) headers['x-parley-retry-count'] = String(attempt);

      const started = Date.now();
      this.logger.debug(`${req.method} ${url} (attempt ${attempt + 1})`, { headers: redactHeaders(headers) });
      const result = await this.#send({
        method: req.method,
        url,
        headers,
        body,
        timeoutMs,
        signal: options.signal,
        stream: req.stream,
      });
      let error: APIError;
      if (result instanceof APIError) {
        error = result;
      } else {
        this.logger.info(`${req.method} ${url} → ${result.status} in ${Date.now() - started} ms`);
        if (result.status < 400) return result;
        error = APIError.generate(result.status, result.body, result.headers, {
          method: req.method,
          url: url.toString(),
        });
      }
      const retryable =
        !(error instanceof APIUserAbortError) &&
        (error instanceof APIConnectionError || isRetryableResponse(error.status ?? 0, error.headers));
      const delay = retryable && attempt < maxRetries ? this.#retryDelay(attempt, error.headers) : undefined;
      if (delay === undefined) {
        this.logger.error(`${req.method} ${url} failed: ${error.message}`);
        throw error;
      }
      this.logger.warn(`${req.method} ${url} failed (${error.message}); retry ${attempt + 1} in ${delay} ms`);
      try {
        await this.#sleep(delay, options.signal);
      } catch (abortReason) {
        throw new APIUserAbortError(undefined, { request: error.request, cause: abortReason });
      }
    }
  }

  /** One attempt; transport failures are returned (not thrown) so the retry loop handles both alike. */
  async #send(req: HttpRequest): Promise<HttpResponse | APIError> {
    try {
      return await this.#config.transport.send(req);
    } catch (error) {
      if (error instanceof APIError) return error;
      throw error;
    }
  }

  #retryDelay(attempt: number, headers: ResponseHeaders | undefined): number | undefined {
    return retryDelayMs(attempt, headers, this.#config.retry, this.#config.random);
  }

  #buildUrl(req: APIRequest): URL {
    if (req.url) return new URL(req.url);
    const url = new URL(this.#config.baseUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${req.path}`;
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }
}

function encodeBody(req: APIRequest): { body?: string; contentType?: string } {
  if (req.form) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(req.form)) if (value !== undefined) form.set(name, value);
    return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  if (req.body !== undefined) return { body: JSON.stringify(req.body), contentType: 'application/json' };
  return {};
}

function lowerCaseKeys(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function validateNonNegativeInteger(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `must be a non-negative integer (got ${value})`);
  }
}

function validatePositive(value: number, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(field, `must be a positive number of milliseconds (got ${value})`);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
