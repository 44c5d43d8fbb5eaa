import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DeferredRequestLogger, requestLoggerFactory } from './request-logger.js';

/** A pino logger at `level` writing parsed lines to `lines`, with a count of the children it made. */
function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      raw.push(String(chunk));
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level, timestamp: false }, stream);
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => {
    children++;
    return child(...args);
  }) as typeof logger.child;
  return { logger, lines, raw, children: () => children };
}

describe('DeferredRequestLogger', () => {
  it('writes the request line exactly as the pino child would, without making one', async () => {
    const deferred = capture();
    const log = requestLoggerFactory(deferred.logger, { reqId: 'req-1' }, {});
    expect(log).toBeInstanceOf(DeferredRequestLogger);
    (log as DeferredRequestLogger).writeLine('info', { method: 'GET', status: 200 }, 'request completed');
    expect(deferred.children()).toBe(0);

    const eager = capture();
    eager.logger.child({ reqId: 'req-1' }).info({ method: 'GET', status: 200 }, 'request completed');
    expect(deferred.raw).toEqual(eager.raw);
  });

  it('makes no child for a level the parent does not log', () => {
    const { logger, lines, children } = capture('info');
    const log = requestLoggerFactory(logger, { reqId: 'req-2' }, {});
    log.debug({ url: '/x' }, 'incoming request');
    log.trace('nothing');
    expect(lines).toEqual([]);
    expect(children()).toBe(0);
    expect(log.level).toBe('info');
  });

  it('logs anything else through one real child, which the request line then uses too', () => {
    const { logger, lines, children } = capture('info');
    const log = requestLoggerFactory(logger, { reqId: 'req-3' }, {}) as DeferredRequestLogger;
    log.info({ applicationId: 'app' }, 'project created');
    log.warn('careful');
    log.writeLine('error', { status: 500 }, 'request errored');
    expect(children()).toBe(1);
    expect(lines.map((line) => [line.reqId, line.level, line.msg])).toEqual([
      ['req-3', 30, 'project created'],
      ['req-3', 40, 'careful'],
      ['req-3', 50, 'request errored'],
    ]);
  });

  it('follows a level set on it through its own child', () => {
    const { logger, lines } = capture('info');
    const log = requestLoggerFactory(logger, { reqId: 'req-4' }, {});
    log.level = 'debug';
    log.debug('now visible');
    expect(logger.level).toBe('info');
    expect(lines.map((line) => line.msg)).toEqual(['now visible']);
  });

  it('leaves routes with logger options of their own to a real child', () => {
    const { logger, children } = capture('info');
    const log = requestLoggerFactory(logger, { reqId: 'req-5' }, { level: 'warn' });
    expect(log).not.toBeInstanceOf(DeferredRequestLogger);
    expect(log.level).toBe('warn');
    expect(children()).toBe(1);
  });
});
