/**
 * Options of `initSession`, with their defaults. Every field but `url` is optional; the timers default to
 * the values OpenTok.js uses, so a Parley gateway sees the same behaviour from both clients.
 */
import { InvalidParameterError } from './errors.js';
import type { LogLevel, LogSink } from './logger.js';
import { DEFAULT_LOG_LEVEL, isLogLevel } from './logger.js';
import { BrowserMediaHandler } from './media/browser-handler.js';
import type { MediaHandler } from './media/handler.js';
import { DefaultReconnectPolicy, type ReconnectPolicy } from './signaling/reconnect-policy.js';
import { type SignalingTransportFactory, webSocketTransportFactory } from './signaling/transport.js';

/** Options of {@link initSession}. */
export interface SessionOptions {
  /**
   * The base URL of the Parley server's client API (what OpenTok.js calls `apiURL`), e.g.
   * `https://video.example.com`. Session info is fetched from `{url}/session/{sessionId}`.
   */
  url: string;
  /** The end-to-end encryption secret, for sessions created with `e2ee: true`. Same as `setEncryptionSecret`. */
  encryptionSecret?: string;
  /** Where log lines go. Default `console`. */
  logger?: LogSink;
  /** How much to log: `off`, `error`, `warn` (default), `info` or `debug`. */
  logLevel?: LogLevel;
  /** How long each signaling request may wait for its reply, in ms. Default 15000. */
  requestTimeoutMs?: number;
  /** How long `publish()` may take until the stream is live, in ms. Default 15000 (OpenTok.js `PUBLISH_MAX_DELAY`). */
  publishTimeoutMs?: number;
  /** How long `subscribe()` may take until media flows, in ms. Default 20000. */
  subscribeTimeoutMs?: number;
  /** How long opening the signaling socket may take, in ms. Default 15000. */
  connectTimeoutMs?: number;
  /** When to retry a dropped signaling socket. Default: at once, then backing off, for up to 30 s. */
  reconnectPolicy?: ReconnectPolicy;
  /** Replaces the WebSocket transport (tests, custom transports). */
  transportFactory?: SignalingTransportFactory;
  /** Replaces the browser media layer (tests, custom capture). */
  mediaHandler?: MediaHandler;
  /** Replaces `fetch` for the session-info request. */
  fetch?: typeof fetch;
}

/** The options with every default applied. */
export interface ResolvedSessionOptions {
  url: string;
  encryptionSecret: string | undefined;
  logger: LogSink;
  logLevel: LogLevel;
  requestTimeoutMs: number;
  publishTimeoutMs: number;
  subscribeTimeoutMs: number;
  connectTimeoutMs: number;
  reconnectPolicy: ReconnectPolicy;
  transportFactory: SignalingTransportFactory;
  mediaHandler: MediaHandler;
  fetch: typeof fetch;
  /** Session-info attempts and their delays (OpenTok.js: 0, 600, 1200 ms). */
  sessionInfoRetryDelaysMs: readonly number[];
  /** Timers of the Rumor socket. */
  pingIntervalMs: number;
  candidateReadyTimeoutMs: number;
}

/** Applies defaults and checks every field, naming the one at fault. */
export function resolveSessionOptions(options: SessionOptions | undefined): ResolvedSessionOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidParameterError('options', 'must be an object with at least `url`');
  }
  if (typeof options.url !== 'string' || !/^https?:\/\//.test(options.url)) {
    throw new InvalidParameterError('options.url', 'must be an http(s) URL of the Parley server');
  }
  if (options.logLevel !== undefined && !isLogLevel(options.logLevel)) {
    throw new InvalidParameterError('options.logLevel', 'must be one of off, error, warn, info, debug');
  }
  const positive = (field: keyof SessionOptions, fallback: number): number => {
    const value = options[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new InvalidParameterError(`options.${field}`, 'must be a positive number of milliseconds');
    }
    return value;
  };
  return {
    url: options.url,
    encryptionSecret: options.encryptionSecret,
    logger: options.logger ?? console,
    logLevel: options.logLevel ?? DEFAULT_LOG_LEVEL,
    requestTimeoutMs: positive('requestTimeoutMs', 15_000),
    publishTimeoutMs: positive('publishTimeoutMs', 15_000),
    subscribeTimeoutMs: positive('subscribeTimeoutMs', 20_000),
    connectTimeoutMs: positive('connectTimeoutMs', 15_000),
    reconnectPolicy: options.reconnectPolicy ?? new DefaultReconnectPolicy(),
    transportFactory: options.transportFactory ?? webSocketTransportFactory,
    mediaHandler: options.mediaHandler ?? new BrowserMediaHandler(),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    sessionInfoRetryDelaysMs: [0, 600, 1200],
    pingIntervalMs: 2000,
    candidateReadyTimeoutMs: 2000,
  };
}
