import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, projectAuth } from '../testing/harness.js';

/** A pino logger at `level` whose lines are collected, parsed, in `lines`. */
function collectingLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString().split('\n')) {
        if (text !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('the request log at info level', () => {
  let h: Harness;
  const { logger, lines } = collectingLogger('info');
  beforeAll(async () => {
    h = await createHarness({ logger });
  });
  afterAll(() => h.close());

  /** The lines of one request, by its request ID. */
  const linesOf = (requestId: unknown) => lines.filter((l) => l.reqId === requestId);

  it('writes one line per request with method, URL, status, duration and remote address', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/v2/project/${h.project.apiKey}/callback`,
      headers: await projectAuth(h.project),
    });
    expect(res.statusCode).toBe(200);
    const ofRequest = linesOf(res.headers['x-request-id']);
    expect(ofRequest).toHaveLength(1);
    expect(ofRequest[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      method: 'GET',
      url: `/v2/project/${h.project.apiKey}/callback`,
      status: 200,
      remoteAddress: '127.0.0.1',
    });
    expect(ofRequest[0]?.durationMs).toEqual(expect.any(Number));
  });

  it('puts what the handler reports on the same line (the created session)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { ...(await projectAuth(h.project)), accept: 'application/json' },
    });
    const [created] = res.json<{ session_id: string }[]>();
    const ofRequest = linesOf(res.headers['x-request-id']);
    expect(ofRequest).toHaveLength(1);
    expect(ofRequest[0]).toMatchObject({ status: 200, sessionId: created?.session_id, mediaMode: 'routed' });
  });

  it('explains a refused request on its line, with the error code and message', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/v2/project/${h.project.apiKey}/callback` });
    expect(res.statusCode).toBe(401);
    const ofRequest = linesOf(res.headers['x-request-id']);
    expect(ofRequest).toHaveLength(1);
    expect(ofRequest[0]).toMatchObject({
      status: 401,
      code: res.json<{ code: number }>().code,
      error: res.json<{ message: string }>().message,
    });
  });

  it('does not write the "incoming request" line', () => {
    expect(lines.filter((l) => l.msg === 'incoming request')).toEqual([]);
  });
});

describe('the request log at debug level', () => {
  it('adds the "incoming request" line, for requests that never finish', async () => {
    const { logger, lines } = collectingLogger('debug');
    const h = await createHarness({ logger });
    try {
      const res = await h.app.inject({ method: 'GET', url: '/healthz' });
      const messages = lines.filter((l) => l.reqId === res.headers['x-request-id']).map((l) => l.msg);
      expect(messages).toEqual(['incoming request', 'request completed']);
    } finally {
      await h.close();
    }
  });
});
