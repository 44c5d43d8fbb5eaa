import pino, { type LoggerOptions } from 'pino';
import { describe, expect, it } from 'vitest';
import { RequestLineWriter } from './request-line.js';

/** A pino logger whose lines are kept as written; a fixed time and base so two loggers write alike. */
function logger(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const log = pino(
    { base: { pid: 7, hostname: 'host' }, timestamp: () => ',"time":1764000000000', ...options },
    { write: (line: string) => void lines.push(line) },
  );
  return { log, lines };
}

const bindings = { reqId: 'c0ffee00-0000-4000-8000-000000000001' };

/** Field sets a request line carries, down to the awkward strings. */
const FIELD_SETS: Record<string, unknown>[] = [
  {
    method: 'POST',
    url: '/session/create',
    status: 200,
    durationMs: 1.234,
    remoteAddress: '127.0.0.1',
    sessionId: `2_${'A'.repeat(140)}`,
    mediaMode: 'routed',
  },
  { method: 'GET', url: '/v2/project/x/archive?offset=0&count="5"\\', status: 404, durationMs: 0 },
  { url: 'tab\there, newline\nthere, nul\u0000, é, 日本, emoji 😀', status: 500 },
  {
    status: Number.NaN,
    durationMs: Number.POSITIVE_INFINITY,
    flag: true,
    off: false,
    none: null,
    gone: undefined,
  },
  {},
];

describe('RequestLineWriter', () => {
  it('writes the bytes pino writes for the same bindings, fields and message', () => {
    for (const fields of FIELD_SETS) {
      const direct = logger();
      const viaPino = logger();
      const writer = RequestLineWriter.for(direct.log);
      expect(writer).not.toBeNull();
      expect(writer?.writeInfo(bindings, fields, 'request completed')).toBe(true);
      viaPino.log.info({ ...bindings, ...fields }, 'request completed');
      expect(direct.lines).toEqual(viaPino.lines);
      expect(JSON.parse(direct.lines[0] as string)).toMatchObject({ level: 30, msg: 'request completed' });
    }
  });

  it('follows the logger’s bindings, message key and level', () => {
    const direct = logger({ messageKey: 'message' });
    const viaPino = logger({ messageKey: 'message' });
    for (const { log } of [direct, viaPino]) log.setBindings({ region: 'eu' });
    RequestLineWriter.for(direct.log)?.writeInfo(bindings, { status: 201 }, 'done');
    viaPino.log.info({ ...bindings, status: 201 }, 'done');
    expect(direct.lines).toEqual(viaPino.lines);
    expect(direct.lines[0]).toContain('"region":"eu"');

    const writer = RequestLineWriter.for(direct.log);
    expect(writer?.enabled).toBe(true);
    direct.log.level = 'warn';
    expect(writer?.enabled).toBe(false);
  });

  it('declines values and keys it would not write as pino does', () => {
    const { log, lines } = logger({ serializers: { url: () => 'hidden' } });
    const writer = RequestLineWriter.for(log);
    expect(writer?.writeInfo(bindings, { url: '/x' }, 'request completed')).toBe(false);
    expect(writer?.writeInfo(bindings, { err: 'boom' }, 'request completed')).toBe(false);
    expect(writer?.writeInfo({ url: '/x' }, {}, 'request completed')).toBe(false);
    expect(writer?.writeInfo(bindings, { details: { nested: 1 } }, 'request completed')).toBe(false);
    expect(writer?.writeInfo(bindings, { when: new Date(0) }, 'request completed')).toBe(false);
    expect(writer?.writeInfo(bindings, { reqId: 'again' }, 'request completed')).toBe(false);
    expect(lines).toEqual([]);
  });

  it('writes for the child logger Fastify hands out (serialisers for req, res and err)', () => {
    const [direct, viaPino] = [logger(), logger()];
    const [fastifyChild, pinoChild] = [direct, viaPino].map(({ log }) =>
      log.child({}, { serializers: { req: () => 'r', res: () => 's' } }),
    );
    const writer = RequestLineWriter.for(fastifyChild as object);
    const fields = FIELD_SETS[0] as Record<string, unknown>;
    expect(writer?.writeInfo(bindings, fields, 'request completed')).toBe(true);
    pinoChild?.info({ ...bindings, ...fields }, 'request completed');
    expect(direct.lines).toEqual(viaPino.lines);
    expect(writer?.writeInfo(bindings, { req: 'x' }, 'request completed')).toBe(false);
  });

  it('has no writer for a logger that changes how lines are serialised', () => {
    const customised: LoggerOptions[] = [
      { mixin: () => ({ extra: 1 }) },
      { formatters: { log: (object) => ({ wrapped: object }) } },
      { redact: ['url'] },
      { redact: ['*.secret'] },
      { nestedKey: 'payload' },
      { msgPrefix: '[api] ' },
      { hooks: { streamWrite: (line: string) => line } },
    ];
    for (const options of customised) {
      expect(RequestLineWriter.for(logger(options).log), JSON.stringify(Object.keys(options))).toBeNull();
    }
    // A destination that wants each line's metadata (pino.multistream) is left to pino as well.
    expect(RequestLineWriter.for(pino({}, pino.multistream([{ stream: { write: () => {} } }])))).toBeNull();
    expect(RequestLineWriter.for({})).toBeNull();
  });
});
