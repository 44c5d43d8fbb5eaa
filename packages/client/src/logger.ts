/**
 * Logging for `@parley/client`, following the rubric in `LOGGING.md`: **error** = a failure surfaced to the
 * app or unrecoverable; **warn** = a recoverable anomaly or an automatic retry; **info** = exactly one line
 * per lifecycle transition (connected, published, reconnecting…), never more than about once a second;
 * **debug** = everything else (frames, SDP, candidates).
 *
 * The sink is pluggable (any object with `error/warn/info/debug`, `console` by default). Each subsystem
 * logs through a named logger that binds its context (session, connection, stream IDs) once.
 */

/** Log levels, from silent to most verbose. */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Where log lines go. `console` fits; so does any structured logger with these four methods. */
export interface LogSink {
  error(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  debug(message: string, context?: Record<string, unknown>): void;
}

/** A named logger of one subsystem. Disabled levels are no-ops. */
export interface Logger {
  error(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  debug(message: string, context?: Record<string, unknown>): void;
  /** A logger for a sub-part with more bound context. */
  child(name: string, context?: () => Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };
const LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/** The default level: problems only. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';

/** Checks a log level given by the app. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in RANK;
}

const noop = (): void => {};

/**
 * Creates the root logger. Lines are `[parley:<name>] message` with the bound context merged into the
 * context argument.
 */
export function createLogger(
  sink: LogSink,
  level: LogLevel,
  name: string,
  context: () => Record<string, unknown> = () => ({}),
): Logger {
  const rank = RANK[level];
  const logger = { child } as Logger;
  for (const method of LEVELS) {
    logger[method] =
      RANK[method] <= rank
        ? (message, extra) => sink[method](`[parley:${name}] ${message}`, { ...context(), ...extra })
        : noop;
  }
  function child(childName: string, childContext: () => Record<string, unknown> = () => ({})): Logger {
    return createLogger(sink, level, `${name}:${childName}`, () => ({ ...context(), ...childContext() }));
  }
  return logger;
}
