/**
 * Request loggers that become pino children only when something logs through them.
 *
 * Fastify gives every request `logger.child({ reqId })`. Making a pino child serialises its bindings and
 * builds an object on the parent's prototype chain: ≈ 1 % of an authenticated request's CPU in a `perf`
 * profile (`bench/PROFILE.md`, fourth round). Most requests log one line only, the request log's
 * `request completed`, which {@link DeferredRequestLogger.writeLine} writes through the parent with the
 * bindings as its first fields — the same JSON line the child would have written. Anything else that logs
 * through `request.log` (a handler, an error) gets the real child, made then and kept.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';

/** The parent logger as this needs it: Fastify's logger with pino's level test. */
type LevelTestingLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

type LogArguments = [unknown, ...unknown[]];
type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** See the file comment. */
export class DeferredRequestLogger implements FastifyBaseLogger {
  readonly #parent: LevelTestingLogger;
  readonly #bindings: Bindings;
  #child: FastifyBaseLogger | null = null;

  constructor(parent: LevelTestingLogger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  /** The real child, made on first use. */
  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings);
    return this.#child;
  }

  #log(level: LevelName, args: LogArguments): void {
    // A level the parent does not log needs no child (the child would inherit the parent's level).
    if (!this.#child && !this.#parent.isLevelEnabled(level)) return;
    (this.#real()[level] as (...values: LogArguments) => void)(...args);
  }

  /** Writes `fields` and `message` at `level` as one line with the request's bindings, without a child. */
  writeLine(level: 'info' | 'error', fields: Record<string, unknown>, message: string): void {
    if (this.#child) this.#child[level](fields, message);
    else this.#parent[level]({ ...this.#bindings, ...fields }, message);
  }

  get level(): string {
    return this.#child ? this.#child.level : this.#parent.level;
  }

  set level(level: string) {
    this.#real().level = level;
  }

  trace(...args: LogArguments): void {
    this.#log('trace', args);
  }

  debug(...args: LogArguments): void {
    this.#log('debug', args);
  }

  info(...args: LogArguments): void {
    this.#log('info', args);
  }

  warn(...args: LogArguments): void {
    this.#log('warn', args);
  }

  error(...args: LogArguments): void {
    this.#log('error', args);
  }

  fatal(...args: LogArguments): void {
    this.#log('fatal', args);
  }

  silent(): void {
    // Nothing: pino's `silent` logs nothing either.
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
}

/**
 * Fastify's `childLoggerFactory`: a {@link DeferredRequestLogger} for a request without logger options of its
 * own (a route's `logLevel` or `logSerializers` need the real child) under a pino logger; otherwise what
 * Fastify's default factory makes.
 */
export function requestLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  const parent = logger as Partial<LevelTestingLogger>;
  if (Object.keys(options).length === 0 && typeof parent.isLevelEnabled === 'function') {
    return new DeferredRequestLogger(logger as LevelTestingLogger, bindings);
  }
  return logger.child(bindings, options);
}
