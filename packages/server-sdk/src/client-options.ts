/**
 * Client options, their defaults and environment fallbacks, resolved once when a client is built.
 */
import type { Dispatcher } from 'undici';
import {
  type Authenticator,
  DEFAULT_REST_TOKEN_TTL_SECONDS,
  OpenTokJwtAuthenticator,
  VonageJwtAuthenticator,
} from './core/auth.js';
import { InvalidArgumentError, ParleyError } from './core/errors.js';
import { importHmacSecret, importRsaPrivateKey, type PrivateKeyInput } from './core/keys.js';
import { isLogLevel, type Logger, type LogLevel, levelFilteredLogger } from './core/logger.js';
import { describe } from './core/path.js';
import type { AuthScope } from './core/request.js';
import type { RetryPolicy } from './core/retry.js';
import type { TransportOptions } from './core/transport.js';
import type { TokenCredentials } from './lib/tokens.js';

/**
 * Options of a {@link Parley} client. Give **one** set of project credentials — `applicationId` and
 * `privateKey` (Vonage applications), or `apiKey` and `apiSecret` (legacy OpenTok projects) — and/or
 * the account credentials for project management. Every field falls back to an environment variable.
 */
export interface ClientOptions {
  /** The Vonage application ID (a UUID). Defaults to `PARLEY_APPLICATION_ID`. */
  applicationId?: string | undefined;
  /**
   * The application's RSA private key: PEM text, the path of a PEM file, PEM bytes or a `KeyObject`.
   * Parsed once, when the client is built. Defaults to `PARLEY_PRIVATE_KEY`.
   */
  privateKey?: PrivateKeyInput | undefined;
  /** The legacy numeric API key of the project. Defaults to `PARLEY_API_KEY`. */
  apiKey?: string | number | undefined;
  /** The legacy API secret of the project. Defaults to `PARLEY_API_SECRET`. */
  apiSecret?: string | undefined;
  /** The account-level API key, for `projects.*` calls. Defaults to `PARLEY_ACCOUNT_API_KEY`. */
  accountApiKey?: string | number | undefined;
  /** The account-level API secret, for `projects.*` calls. Defaults to `PARLEY_ACCOUNT_API_SECRET`. */
  accountApiSecret?: string | undefined;
  /**
   * The API's base URL, e.g. `http://127.0.0.1:4000` for a local Parley server. Defaults to
   * `PARLEY_BASE_URL`, else `https://video.api.vonage.com` with application credentials and
   * `https://api.opentok.com` with an API key and secret.
   */
  baseUrl?: string | URL | undefined;
  /** The deadline of each attempt of a request, in milliseconds. Default 60 000. */
  timeout?: number | undefined;
  /** The deadline of opening a connection (TCP and TLS), in milliseconds. Default 10 000. */
  connectTimeout?: number | undefined;
  /** How many times a failed request is retried (connection errors, 408, 429, 5xx but 501). Default 2. */
  maxRetries?: number | undefined;
  /** The first retry's backoff, in milliseconds, doubled per retry up to `maxRetryDelay`. Default 500. */
  initialRetryDelay?: number | undefined;
  /** The longest backoff between retries, in milliseconds. Default 8 000. */
  maxRetryDelay?: number | undefined;
  /** How long idle keep-alive connections stay open, in milliseconds. Default 10 000. */
  keepAliveTimeout?: number | undefined;
  /** Most concurrent connections to the API (`null`: no limit, the default). */
  maxConnections?: number | null | undefined;
  /** An undici dispatcher (proxy agent, custom pool, …) to use instead of the SDK's own pool. */
  dispatcher?: Dispatcher | undefined;
  /** Headers added to every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** Lifetime of the JWT signed for each REST call, in seconds. Default 300. */
  restTokenTtl?: number | undefined;
  /**
   * The webhook signing secret(s), `whsec_…`, used by `webhooks.verify`. Several while rotating.
   * Defaults to `PARLEY_WEBHOOK_SECRET` (comma-separated for several).
   */
  webhookSecret?: string | readonly string[] | undefined;
  /** Where logs go. Default `console`. */
  logger?: Logger | undefined;
  /** How much is logged. Default `PARLEY_LOG`, else `off`. */
  logLevel?: LogLevel | undefined;
  /**
   * Allow building a client where a browser's `window` and `document` exist. Off by default: a page
   * that holds a private key or API secret leaks it to every visitor. Mint tokens on a server instead.
   */
  dangerouslyAllowBrowser?: boolean | undefined;
}

/** Everything a client needs, resolved and validated once. */
export interface ResolvedClientConfig {
  baseUrl: URL;
  /** The project in `/v2/project/{projectId}` paths: the application ID, else the API key. */
  projectId: string | undefined;
  authenticators: Partial<Record<AuthScope, Authenticator>>;
  tokenCredentials: TokenCredentials;
  transport: TransportOptions;
  retry: RetryPolicy;
  logger: Logger;
  defaultHeaders: Record<string, string>;
  webhookSecrets: string[];
}

/** Vonage's cloud, where application credentials work. */
export const VONAGE_BASE_URL = 'https://video.api.vonage.com';
/** The legacy OpenTok host, where API key and secret credentials work. */
export const OPENTOK_BASE_URL = 'https://api.opentok.com';

type Env = Readonly<Record<string, string | undefined>>;

/** Resolves `options` against the environment `env` and the defaults; throws on invalid options. */
export function resolveClientConfig(
  options: ClientOptions = {},
  env: Env = process.env,
): ResolvedClientConfig {
  if (isBrowser() && options.dangerouslyAllowBrowser !== true) {
    throw new ParleyError(
      'The Parley server SDK refuses to run in a browser: the page would expose your private key or API secret. ' +
        'Mint tokens on your server (or set dangerouslyAllowBrowser: true if you know what you are doing).',
    );
  }
  const applicationId = options.applicationId ?? env.PARLEY_APPLICATION_ID;
  const privateKey = options.privateKey ?? env.PARLEY_PRIVATE_KEY;
  const apiKey = stringOrUndefined(options.apiKey ?? env.PARLEY_API_KEY);
  const apiSecret = options.apiSecret ?? env.PARLEY_API_SECRET;
  const accountApiKey = stringOrUndefined(options.accountApiKey ?? env.PARLEY_ACCOUNT_API_KEY);
  const accountApiSecret = options.accountApiSecret ?? env.PARLEY_ACCOUNT_API_SECRET;
  const restTtl = positiveNumber(options.restTokenTtl, DEFAULT_REST_TOKEN_TTL_SECONDS, 'restTokenTtl');

  requirePair(applicationId, privateKey, 'applicationId', 'privateKey');
  requirePair(apiKey, apiSecret, 'apiKey', 'apiSecret');
  requirePair(accountApiKey, accountApiSecret, 'accountApiKey', 'accountApiSecret');
  if (apiKey !== undefined && !/^\d{1,20}$/.test(apiKey)) {
    throw new InvalidArgumentError('apiKey', `must be the numeric API key (got ${describe(apiKey)})`);
  }

  const authenticators: Partial<Record<AuthScope, Authenticator>> = {};
  const tokenCredentials: TokenCredentials = {};
  if (applicationId !== undefined && privateKey !== undefined) {
    const key = importRsaPrivateKey(privateKey, 'privateKey');
    authenticators.project = new VonageJwtAuthenticator(applicationId, key, restTtl);
    tokenCredentials.application = { applicationId, key };
  }
  if (apiKey !== undefined && apiSecret !== undefined) {
    const secret = importHmacSecret(apiSecret, 'apiSecret');
    authenticators.project ??= new OpenTokJwtAuthenticator(apiKey, secret, 'project', restTtl);
    tokenCredentials.project = { apiKey, secret };
  }
  if (accountApiKey !== undefined && accountApiSecret !== undefined) {
    const secret = importHmacSecret(accountApiSecret, 'accountApiSecret');
    authenticators.account = new OpenTokJwtAuthenticator(accountApiKey, secret, 'account', restTtl);
  }
  if (!authenticators.project && !authenticators.account) {
    throw new InvalidArgumentError(
      'credentials',
      'are required: pass applicationId and privateKey, or apiKey and apiSecret (or accountApiKey and accountApiSecret)',
    );
  }

  const timeoutMs = positiveNumber(options.timeout, 60_000, 'timeout');
  const level = options.logLevel ?? env.PARLEY_LOG ?? 'off';
  if (!isLogLevel(level)) {
    throw new InvalidArgumentError(
      'logLevel',
      `must be off, error, warn, info or debug (got ${describe(level)})`,
    );
  }
  return {
    baseUrl: resolveBaseUrl(options.baseUrl ?? env.PARLEY_BASE_URL, applicationId !== undefined),
    projectId: applicationId ?? apiKey,
    authenticators,
    tokenCredentials,
    transport: {
      timeoutMs,
      connectTimeoutMs: positiveNumber(options.connectTimeout, 10_000, 'connectTimeout'),
      keepAliveTimeoutMs: positiveNumber(options.keepAliveTimeout, 10_000, 'keepAliveTimeout'),
      connections: options.maxConnections ?? null,
      dispatcher: options.dispatcher,
    },
    retry: {
      maxRetries: nonNegativeInteger(options.maxRetries, 2, 'maxRetries'),
      initialDelayMs: positiveNumber(options.initialRetryDelay, 500, 'initialRetryDelay'),
      maxDelayMs: positiveNumber(options.maxRetryDelay, 8_000, 'maxRetryDelay'),
    },
    logger: levelFilteredLogger(options.logger ?? console, level),
    defaultHeaders: { ...options.defaultHeaders },
    webhookSecrets: resolveWebhookSecrets(options.webhookSecret ?? env.PARLEY_WEBHOOK_SECRET),
  };
}

function isBrowser(): boolean {
  const scope = globalThis as { window?: unknown; document?: unknown };
  return typeof scope.window !== 'undefined' && typeof scope.document !== 'undefined';
}

function stringOrUndefined(value: string | number | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : String(value);
}

function requirePair(first: unknown, second: unknown, firstName: string, secondName: string): void {
  const hasFirst = first !== undefined && first !== '';
  const hasSecond = second !== undefined && second !== '';
  if (hasFirst !== hasSecond) {
    const missing = hasFirst ? secondName : firstName;
    throw new InvalidArgumentError(missing, `is required together with ${hasFirst ? firstName : secondName}`);
  }
}

function resolveBaseUrl(value: string | URL | undefined, isApplication: boolean): URL {
  const text = value === undefined ? (isApplication ? VONAGE_BASE_URL : OPENTOK_BASE_URL) : String(value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('baseUrl', `must be an absolute http(s) URL (got ${describe(text)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('baseUrl', `must use http or https (got ${url.protocol})`);
  }
  url.search = '';
  url.hash = '';
  return url;
}

function resolveWebhookSecrets(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? value.split(',') : [...value];
  return list.map((secret) => secret.trim()).filter((secret) => secret !== '');
}

function positiveNumber(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(field, `must be a positive number (got ${describe(value)})`);
  }
  return value;
}

function nonNegativeInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `must be a non-negative integer (got ${describe(value)})`);
  }
  return value;
}
