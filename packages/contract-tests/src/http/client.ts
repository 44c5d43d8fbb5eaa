/**
 * The suite's HTTP client: builds a request for an operation of the spec (path template, query, body
 * encoded for the operation's media type, fresh credentials) and sends it with undici. It knows nothing
 * about Parley's server SDK on purpose, so SDK bugs cannot hide server bugs or the other way round.
 */
import { fetch as undiciFetch } from 'undici';
import type { ContractCredentials, ProjectAuthStyle } from '../auth/credentials.js';
import { projectIdFor } from '../auth/credentials.js';
import { type AuthScheme, type BrokenAuth, RestJwtSigner } from '../auth/rest-jwt.js';
import { isAnonymous, type OperationSpec } from '../spec/operations.js';
import type { ContractSpec } from '../spec.js';

/** The subset of `fetch` the client uses; undici's by default. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  status: number;
  headers: { forEach(cb: (value: string, key: string) => void): void };
  text(): Promise<string>;
}>;

/** How a request authenticates. */
export type CallAuth = AuthScheme | 'none' | { scheme: AuthScheme; broken: BrokenAuth };

/** One call of an operation. */
export interface CallOptions {
  /** Path parameters. `projectId` defaults to the ID of the client's auth style. */
  path?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  /** A body, encoded for the operation's first media type (JSON, or form encoding). */
  body?: unknown;
  /** A body sent verbatim (for malformed bodies); needs `contentType`. */
  rawBody?: string;
  /** Overrides the media type of the body. */
  contentType?: string;
  headers?: Record<string, string>;
  /** Default: what the operation's `security` asks for, signed with the client's style. */
  auth?: CallAuth;
  idempotencyKey?: string;
}

/** What came back. */
export interface ApiResponse {
  operation: OperationSpec;
  method: string;
  url: string;
  /** The body that was sent, for messages. */
  requestBody: string | undefined;
  status: number;
  /** Lowercase header names. */
  headers: Record<string, string>;
  /** The media type of the response without parameters, lowercase; null without a Content-Type. */
  mediaType: string | null;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
}

/** Options of {@link ApiClient}. */
export interface ApiClientOptions {
  baseUrl: string;
  spec: ContractSpec;
  credentials: ContractCredentials;
  /** Which project credentials sign project calls (and so which project ID goes in paths). */
  style: ProjectAuthStyle;
  fetch?: FetchLike;
  /** Told about every call, for the operation coverage report. */
  onCall?: (operationId: string, status: number) => void;
  /** Per-request timeout in ms. Default 15 000. */
  timeoutMs?: number;
}

/** Sends operations of the spec to one target. */
export class ApiClient {
  readonly spec: ContractSpec;
  readonly credentials: ContractCredentials;
  readonly style: ProjectAuthStyle;
  readonly baseUrl: string;
  readonly signer: RestJwtSigner;
  readonly #fetch: FetchLike;
  readonly #onCall: ((operationId: string, status: number) => void) | undefined;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.spec = options.spec;
    this.credentials = options.credentials;
    this.style = options.style;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.signer = new RestJwtSigner(options.credentials);
    this.#fetch = options.fetch ?? (undiciFetch as unknown as FetchLike);
    this.#onCall = options.onCall;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** The project ID this client puts in paths. */
  get projectId(): string {
    return projectIdFor(this.credentials, this.style);
  }

  /** A client for the same target with another auth style. */
  withStyle(style: ProjectAuthStyle): ApiClient {
    return new ApiClient({
      baseUrl: this.baseUrl,
      spec: this.spec,
      credentials: this.credentials,
      style,
      fetch: this.#fetch,
      ...(this.#onCall ? { onCall: this.#onCall } : {}),
      timeoutMs: this.#timeoutMs,
    });
  }

  /** The auth an operation asks for by default. */
  defaultAuth(operation: OperationSpec): CallAuth {
    if (isAnonymous(operation)) return 'none';
    if (operation.security.some((r) => r.includes('accountJwt'))) return 'account';
    return this.style;
  }

  /** The URL of an operation with its path parameters filled in and percent-encoded. */
  urlFor(operation: OperationSpec, options: Pick<CallOptions, 'path' | 'query'> = {}): string {
    const params: Record<string, string> = { projectId: this.projectId, ...options.path };
    const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${operation.operationId} needs path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) query.append(key, String(value));
    }
    const search = query.size > 0 ? `?${query}` : '';
    return `${this.baseUrl}${path}${search}`;
  }

  /** Calls an operation by ID. Never throws for HTTP statuses; only for transport failures. */
  async call(operationId: string, options: CallOptions = {}): Promise<ApiResponse> {
    const operation = this.spec.operation(operationId);
    if (operation.kind !== 'path')
      throw new Error(`${operationId} is a webhook; the target sends it, not receives it`);
    const url = this.urlFor(operation, options);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      const mediaType =
        options.contentType ?? operation.requestBody?.content[0]?.mediaType ?? 'application/json';
      headers['content-type'] = mediaType;
      body = encodeBody(mediaType, options.body);
    }
    const send = async (): Promise<Awaited<ReturnType<FetchLike>>> => {
      // A fresh JWT per attempt: a target may accept each `jti` only once.
      const fresh = {
        ...headers,
        ...(await this.#authHeaders(operation, options.auth)),
        ...lowerKeys(options.headers ?? {}),
      };
      return this.#fetch(url, {
        method: operation.method.toUpperCase(),
        headers: fresh,
        ...(body !== undefined ? { body } : {}),
        // AbortSignal.timeout keeps a hung target from hanging the whole run.
        ...({ signal: AbortSignal.timeout(this.#timeoutMs) } as object),
      });
    };
    let response = await send();
    // Rate limits are not what the suite tests: wait as told (briefly) and try again.
    for (let attempt = 1; response.status === 429 && attempt <= MAX_RATE_LIMIT_RETRIES; attempt++) {
      await response.text();
      await sleep(retryDelayMs(headerOf(response, 'retry-after')));
      response = await send();
    }
    const text = await response.text();
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      responseHeaders[key.toLowerCase()] = value;
    });
    const mediaType = (responseHeaders['content-type']?.split(';')[0] ?? '').trim().toLowerCase() || null;
    this.#onCall?.(operationId, response.status);
    return {
      operation,
      method: operation.method.toUpperCase(),
      url,
      requestBody: body,
      status: response.status,
      headers: responseHeaders,
      mediaType,
      text,
      body: parseJson(mediaType, text),
    };
  }

  async #authHeaders(operation: OperationSpec, auth: CallAuth | undefined): Promise<Record<string, string>> {
    const chosen = auth ?? this.defaultAuth(operation);
    if (chosen === 'none') return {};
    if (typeof chosen === 'string') return this.signer.headers(chosen);
    return this.signer.brokenHeaders(chosen.scheme, chosen.broken);
  }
}

/** How often a 429 is retried before it is reported. */
const MAX_RATE_LIMIT_RETRIES = 5;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function headerOf(response: Awaited<ReturnType<FetchLike>>, name: string): string | undefined {
  let found: string | undefined;
  response.headers.forEach((value, key) => {
    if (key.toLowerCase() === name) found = value;
  });
  return found;
}

/** `Retry-After` in seconds, capped at 5 s; 1 s when absent or unreadable. */
function retryDelayMs(retryAfter: string | undefined): number {
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 5) * 1000 : 1000;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Encodes a body for a media type: form encoding for `x-www-form-urlencoded`, JSON otherwise. */
export function encodeBody(mediaType: string, body: unknown): string {
  if (mediaType === 'application/x-www-form-urlencoded') {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new Error('A form-encoded body must be an object of fields');
    }
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body)) {
      if (value === undefined) continue;
      form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return form.toString();
  }
  return JSON.stringify(body);
}

function parseJson(mediaType: string | null, text: string): unknown {
  if (text === '' || !(mediaType === 'application/json' || mediaType?.endsWith('+json'))) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
