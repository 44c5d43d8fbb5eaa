/**
 * A pluggable logger. The SDK is quiet by default: nothing is logged unless the application sets
 * `logLevel` (or the `PARLEY_LOG` environment variable).
 */

/** Anything with `console`'s four methods: `console` itself, pino, winston, bunyan, … */
export interface Logger {
  error(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  debug(message: string, ...details: unknown[]): void;
}

/**
 * How much the SDK logs: `off` (the default) nothing; `error` failures it throws; `warn` also retries;
 * `info` also one line per request; `debug` also headers (credentials redacted) and timings.
 */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Every log level, quietest first. */
export const LOG_LEVELS: readonly LogLevel[] = ['off', 'error', 'warn', 'info', 'debug'];

const noop = (): void => {};

/** Returns true when `value` names a {@link LogLevel}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Wraps `logger` so that levels above `level` are no-ops. Enabled levels are the logger's own methods,
 * bound rather than wrapped, so stack traces and call sites stay intact.
 */
export function levelFilteredLogger(logger: Logger, level: LogLevel): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const pick = (name: Exclude<LogLevel, 'off'>): Logger[typeof name] =>
    LOG_LEVELS.indexOf(name) <= rank ? logger[name].bind(logger) : noop;
  return { error: pick('error'), warn: pick('warn'), info: pick('info'), debug: pick('debug') };
}

/**
 * Whether `logger` would output messages at `level`: false only for levels that
 * {@link levelFilteredLogger} turned into no-ops, so the SDK can skip building messages nobody reads.
 */
export function isLevelEnabled(logger: Logger, level: Exclude<LogLevel, 'off'>): boolean {
  return logger[level] !== noop;
}

/** Header names whose values must never reach a log. */
const SECRET_HEADERS = new Set(['authorization', 'x-opentok-auth', 'proxy-authorization', 'cookie']);

/** Copies `headers` with credential values replaced by `[redacted]`, for debug logs. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return out;
}
