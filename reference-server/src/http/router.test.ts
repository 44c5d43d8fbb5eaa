import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, opentokJwt, projectAuth } from '../testing/harness.js';

describe('the spec router', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    // Renders left out, so listRenders stays an operation without a handler.
    h = await createHarness({ bodyLimit: 4096, renders: null });
    base = `/v2/project/${h.project.applicationId}`;
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers unknown routes with 404 and the error body', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v2/nothing/here' });
    expect(res.statusCode).toBe(404);
    expect(json(res)).toEqual({ code: 40402, message: 'No endpoint matches GET /v2/nothing/here' });
  });

  it('answers a known path with a wrong method with 405 and Allow', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: '/session/create' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(json(res)).toMatchObject({ code: 40502 });
    const health = await h.app.inject({ method: 'PUT', url: '/healthz' });
    expect(health.statusCode).toBe(405);
    expect(health.headers.allow).toBe('GET, HEAD');
  });

  it('answers operations without a handler with 501 naming the operation, after authentication', async () => {
    const unauthenticated = await h.app.inject({ method: 'GET', url: `${base}/render` });
    expect(unauthenticated.statusCode).toBe(401);
    const res = await h.app.inject({
      method: 'GET',
      url: `${base}/render`,
      headers: await projectAuth(h.project),
    });
    expect(res.statusCode).toBe(501);
    expect(json(res)).toEqual({ code: 50101, message: 'listRenders is not implemented by this server yet' });
  });

  it('answers bodies over the limit with 413', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `${base}/callback`,
      headers: { ...(await projectAuth(h.project)), 'content-type': 'application/json' },
      payload: JSON.stringify({
        group: 'archive',
        event: 'status',
        url: `https://example.com/${'a'.repeat(5000)}`,
      }),
    });
    expect(res.statusCode).toBe(413);
    expect(json(res)).toMatchObject({ code: 41301 });
  });

  it('answers malformed JSON with 400, never 500', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `${base}/callback`,
      headers: { ...(await projectAuth(h.project)), 'content-type': 'application/json' },
      payload: '{"group": "archive",',
    });
    expect(res.statusCode).toBe(400);
    expect(json(res)).toMatchObject({ code: 40002 });
  });

  it('refuses prototype poisoning in JSON bodies', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `${base}/callback`,
      headers: { ...(await projectAuth(h.project)), 'content-type': 'application/json' },
      payload: '{"group":"archive","event":"status","url":"https://example.com/hook","__proto__":{"x":1}}',
    });
    expect(res.statusCode).toBe(400);
  });

  it('answers an unsupported Content-Type with 415 and a missing required body with 400', async () => {
    const headers = await projectAuth(h.project);
    const xml = await h.app.inject({
      method: 'POST',
      url: `${base}/callback`,
      headers: { ...headers, 'content-type': 'application/xml' },
      payload: '<callback/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(json(xml)).toMatchObject({ code: 41501 });
    const empty = await h.app.inject({
      method: 'POST',
      url: `${base}/callback`,
      headers: await projectAuth(h.project),
    });
    expect(empty.statusCode).toBe(400);
    expect(json(empty)).toEqual({ code: 40001, message: 'body is required' });
  });

  it('validates path parameters against the spec', async () => {
    const res = await h.app.inject({
      method: 'DELETE',
      url: `${base}/callback/${'x'.repeat(300)}`,
      headers: await projectAuth(h.project),
    });
    expect(res.statusCode).toBe(400);
    expect(json<{ message: string }>(res).message).toMatch(/^path\.callbackId /);
  });

  it('validates headers it declares (Idempotency-Key at most 255 characters)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { ...(await projectAuth(h.project)), 'idempotency-key': 'k'.repeat(256) },
    });
    expect(res.statusCode).toBe(400);
    expect(json<{ message: string }>(res).message).toBe(
      'header.idempotency-key must be at most 255 characters long',
    );
  });

  it('accepts a trailing slash, as @vonage/video sends on some paths', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `${base}/callback/`,
      headers: await projectAuth(h.project),
    });
    expect(res.statusCode).toBe(200);
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const echoed = await h.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'req-123' },
    });
    expect(echoed.headers['x-request-id']).toBe('req-123');
    const generated = await h.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\n' },
    });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('per-project rate limiting', () => {
  let h: Harness;
  let clock = 1_800_000_000_000;
  beforeAll(async () => {
    h = await createHarness({ rateLimit: { ratePerSecond: 1, burst: 2 }, now: () => clock });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers 429 with Retry-After once the bucket is empty, per project', async () => {
    const call = async (project = h.project) =>
      h.app.inject({
        method: 'GET',
        url: `/v2/project/${project.apiKey}/callback`,
        headers: { 'x-opentok-auth': await opentokJwt(project, {}, clock) },
      });
    expect((await call()).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(200);
    const limited = await call();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(json(limited)).toEqual({ code: 42901, message: 'Rate limit exceeded, retry after 1 second' });

    const other = await h.addProject();
    expect((await call(other.project)).statusCode).toBe(200);

    clock += 1000;
    expect((await call()).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(429);
  });

  it('does not limit anonymous operations', async () => {
    for (let i = 0; i < 5; i++)
      expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
