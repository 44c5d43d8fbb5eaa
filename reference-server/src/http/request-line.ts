/**
 * The `request completed` line written without pino's generic serialiser.
 *
 * Every request logs this one line (`request-log.ts`), and pino builds it the general way: the request's
 * bindings and fields merged into one object, then each key looked up in the serialisers and
 * stringifiers, tested with `hasOwnProperty` and switched on its type. Under `POST /session/create` that
 * was ≈ 5 % of the server's CPU (`bench/PROFILE.md`, sixth round). {@link RequestLineWriter} writes the
 * same bytes straight from the bindings and fields, reusing the logger's own prefix, time function,
 * bindings text and destination — for a logger that changes nothing about how a line is serialised.
 * Anything else (a mixin, formatters of the log object, redaction, a nested key, a message prefix, a
 * destination that wants metadata, a field with a serialiser or whose value is an object) goes through
 * pino as before.
 *
 * Strings are written with `JSON.stringify`, which pino also uses for all but short strings; the two
 * differ only for a string holding an unpaired surrogate, which this writes as a `\u` escape (valid JSON)
 * where pino writes it raw.
 */
import pino from 'pino';

/** Pino's internal property keys; it publishes them as `pino.symbols` (its typings omit a few). */
const symbols = pino.symbols as unknown as Record<string, symbol>;
const sym = (name: string): symbol => {
  const found = symbols[name];
  if (typeof found !== 'symbol') throw new Error(`pino.symbols has no ${name}; is pino too old or too new?`);
  return found;
};
const CHINDINGS = sym('chindingsSym');
const END = sym('endSym');
const FORMATTERS = sym('formattersSym');
const HOOKS = sym('hooksSym');
const LEVEL_PREFIXES = sym('lsCacheSym');
const MESSAGE_KEY = sym('messageKeySym');
const MIXIN = sym('mixinSym');
const MESSAGE_PREFIX = sym('msgPrefixSym');
const NESTED_KEY = sym('nestedKeySym');
const SERIALIZERS = sym('serializersSym');
const ERROR_KEY = sym('errorKeySym');
const STREAM = sym('streamSym');
const STRINGIFIERS = sym('stringifiersSym');
const TIME = sym('timeSym');
const NEEDS_METADATA = Symbol.for('pino.metadata');

/** Pino's level number for `info`, the level of the line. */
const INFO = 30;

/** A destination as pino writes to it. */
interface Destination {
  write(line: string): unknown;
}

/** Reads one of a logger's internal properties. */
const internal = (logger: object, key: symbol): unknown => (logger as Record<symbol, unknown>)[key];

const isObject = (value: unknown): value is Record<PropertyKey, unknown> =>
  typeof value === 'object' && value !== null;

/** What a {@link RequestLineWriter} copies from its logger. */
interface LineParts {
  logger: { levelVal: number };
  /** `{"level":30` as the logger's level formatter wrote it. */
  prefix: string;
  /** The logger's time function (`,"time":…`). */
  time: () => string;
  /** `}` and the line end. */
  end: string;
  stream: Destination;
  messageKey: string;
  /** Keys pino would pass through a serialiser (Fastify's loggers have `req`, `res` and `err`). */
  serialized: ReadonlySet<string>;
}

/** Writes `info` lines of flat fields for one pino logger, byte for byte as the logger would. */
export class RequestLineWriter {
  readonly #parts: LineParts;
  readonly #messageKey: string;

  private constructor(parts: LineParts) {
    this.#parts = parts;
    this.#messageKey = JSON.stringify(parts.messageKey);
  }

  /** The writer for `logger`, or null when the logger serialises lines in a way this does not copy. */
  static for(logger: object): RequestLineWriter | null {
    const prefixes = internal(logger, LEVEL_PREFIXES);
    const prefix = isObject(prefixes) ? prefixes[INFO] : undefined;
    const time = internal(logger, TIME);
    const end = internal(logger, END);
    const stream = internal(logger, STREAM);
    const messageKey = internal(logger, MESSAGE_KEY);
    const errorKey = internal(logger, ERROR_KEY);
    const levelVal = (logger as { levelVal?: unknown }).levelVal;
    const formatters = internal(logger, FORMATTERS);
    const hooks = internal(logger, HOOKS);
    const serializers = internal(logger, SERIALIZERS);
    const stringifiers = internal(logger, STRINGIFIERS);
    const plain =
      typeof prefix === 'string' &&
      typeof time === 'function' &&
      typeof end === 'string' &&
      typeof messageKey === 'string' &&
      typeof errorKey === 'string' &&
      typeof levelVal === 'number' &&
      typeof internal(logger, CHINDINGS) === 'string' &&
      isObject(stream) &&
      typeof stream.write === 'function' &&
      stream[NEEDS_METADATA] !== true &&
      !internal(logger, MIXIN) &&
      !internal(logger, NESTED_KEY) &&
      internal(logger, MESSAGE_PREFIX) === undefined &&
      isObject(formatters) &&
      !formatters.log &&
      isObject(hooks) &&
      !hooks.streamWrite &&
      isObject(serializers) &&
      // Redaction installs stringifiers, keyed by path or by a symbol for wildcards.
      isObject(stringifiers) &&
      Reflect.ownKeys(stringifiers).length === 0;
    if (!plain) return null;
    return new RequestLineWriter({
      logger: logger as { levelVal: number },
      prefix,
      time: time.bind(logger) as () => string,
      end,
      stream: stream as unknown as Destination,
      messageKey,
      // A field under one of these keys is declined: pino would serialise it.
      serialized: new Set([...Object.keys(serializers), errorKey]),
    });
  }

  /** True when the logger currently writes `info` lines. */
  get enabled(): boolean {
    return this.#parts.logger.levelVal <= INFO;
  }

  /**
   * Writes `bindings` then `fields` then the message at `info`, as `logger.info({ ...bindings, ...fields },
   * message)` would. Returns false, writing nothing, when a value is not a string, number, boolean, null or
   * undefined, a key has a serialiser (or is the error key), or a key of `fields` repeats one of
   * `bindings`: the caller then logs through pino.
   */
  writeInfo(bindings: Record<string, unknown>, fields: Record<string, unknown>, message: string): boolean {
    const { prefix, time, logger, serialized, stream, end } = this.#parts;
    // The bindings text is read per line: `logger.setBindings` replaces it.
    let text = prefix + time() + (internal(logger, CHINDINGS) as string);
    for (const key in bindings) {
      if (serialized.has(key)) return false;
      const value = encode(bindings[key]);
      if (value === null) return false;
      if (value !== '') text += `,${JSON.stringify(key)}:${value}`;
    }
    for (const key in fields) {
      if (Object.hasOwn(bindings, key) || serialized.has(key)) return false;
      const value = encode(fields[key]);
      if (value === null) return false;
      if (value !== '') text += `,${JSON.stringify(key)}:${value}`;
    }
    stream.write(`${text},${this.#messageKey}:${JSON.stringify(message)}${end}`);
    return true;
  }
}

/** A value as pino writes it; '' for a value pino leaves out, null for one this does not handle. */
function encode(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    case 'undefined':
      return '';
    default:
      return value === null ? 'null' : null;
  }
}
