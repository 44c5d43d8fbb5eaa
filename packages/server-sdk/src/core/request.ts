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
import { isLevelEnabled, type Logger, redactHeaders } from './logger.js';
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
const NO_AUTH: Authenticator = { scheme: 'none', apply: () => {} };

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
  /** The base URL without its trailing slash, to which request paths are appended. */
  readonly #urlPrefix: string;
  /** The headers every request starts from, lower-cased once here rather than on every attempt. */
  readonly #baseHeaders: Readonly<Record<string, string>>;
  readonly #logRequests: boolean;
  readonly #logHeaders: boolean;

  constructor(config: RequestExecutorConfig) {
    this.#config = config;
    this.#sleep = config.sleep ?? abortableSleep;
    const base = new URL(config.baseUrl);
    base.search = '';
    base.hash = '';
    this.#urlPrefix = base.href.replace(/\/+$/, '');
    this.#baseHeaders = {
      accept: 'application/json',
      'user-agent': config.userAgent,
      ...lowerCaseKeys(config.defaultHeaders),
    };
    this.#logRequests = isLevelEnabled(config.logger, 'info');
    this.#logHeaders = isLevelEnabled(config.logger, 'debug');
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
      const headers: Record<string, string> = { ...this.#baseHeaders };
      if (req.headers) assignLowerCase(headers, req.headers);
      if (options.headers) assignLowerCase(headers, options.headers);
      authenticator.apply(headers);
      if (contentType) headers['content-type'] = contentType;
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      if (attempt > 0) headers['x-parley-retry-count'] = String(attempt);

      const started = this.#logRequests ? Date.now() : 0;
      if (this.#logHeaders) {
        this.logger.debug(`${req.method} ${url} (attempt ${attempt + 1})`, {
          headers: redactHeaders(headers),
        });
      }
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
        if (this.#logRequests) {
          this.logger.info(`${req.method} ${url} → ${result.status} in ${Date.now() - started} ms`);
        }
        if (result.status < 400) return result;
        error = APIError.generate(result.status, result.body, result.headers, { method: req.method, url });
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

  /** The absolute URL of `req`, as a string (what undici takes without re-parsing a `URL`). */
  #buildUrl(req: APIRequest): string {
    if (req.url) return new URL(req.url).href;
    let query = '';
    if (req.query) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(req.query)) {
        if (value !== undefined) params.set(name, String(value));
      }
      const encoded = params.toString();
      if (encoded !== '') query = `?${encoded}`;
    }
    return `${this.#urlPrefix}${req.path}${query}`;
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
  if (headers) assignLowerCase(out, headers);
  return out;
}

/** Copies `source` into `target` with lower-case names, so a caller's `X-Foo` replaces a default `x-foo`. */
function assignLowerCase(target: Record<string, string>, source: Readonly<Record<string, string>>): void {
  for (const name in source) {
    if (Object.hasOwn(source, name)) target[name.toLowerCase()] = source[name] as string;
  }
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
