import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startServer } from '../server.js';
import { createHarness, type Harness, json, projectAuth } from '../testing/harness.js';
import { verifyClientToken } from '../tokens/client-token.js';
import type { JoinGrant } from './app-server.js';

const post = (h: Harness, body: unknown) =>
  h.app.inject({ method: 'POST', url: '/playground/api/join', payload: body as object });

describe('playground routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ playground: { rateLimit: null } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates a session of the requested media mode and mints a verifiable token for the role', async () => {
    const res = await post(h, { name: ' Alice ', role: 'moderator', mediaMode: 'routed' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const grant = json<JoinGrant>(res);
    expect(grant).toMatchObject({
      projectId: h.project.apiKey,
      role: 'moderator',
      mediaMode: 'routed',
      created: true,
    });
    expect(await h.store.sessions.get(grant.sessionId)).toMatchObject({
      applicationId: h.project.applicationId,
      mediaMode: 'routed',
    });
    const token = await verifyClientToken(grant.token, (id) => h.store.projects.get(id));
    expect(token).toMatchObject({ sessionId: grant.sessionId, role: 'moderator', apiKey: h.project.apiKey });
    expect(JSON.parse(token.connectionData)).toEqual({ name: 'Alice' });
  });

  it('joins an existing session with a relayed default and answers 200', async () => {
    const first = json<JoinGrant>(await post(h, { name: 'A', role: 'publisher' }));
    expect((await h.store.sessions.get(first.sessionId))?.mediaMode).toBe('relayed');
    const res = await post(h, {
      name: 'B',
      role: 'subscriber',
      sessionId: first.sessionId,
      mediaMode: 'routed',
    });
    expect(res.statusCode).toBe(200);
    const second = json<JoinGrant>(res);
    // The media mode is the session's, whatever a joiner asks for.
    expect(second).toMatchObject({
      sessionId: first.sessionId,
      created: false,
      role: 'subscriber',
      mediaMode: 'relayed',
    });
    expect((await verifyClientToken(second.token, (id) => h.store.projects.get(id))).role).toBe('subscriber');
  });

  it.each([
    [{ role: 'publisher' }, 'body.name'],
    [{ name: '   ', role: 'publisher' }, 'body.name'],
    [{ name: 'x'.repeat(65), role: 'publisher' }, 'body.name'],
    [{ name: 'A', role: 'admin' }, 'body.role'],
    [{ name: 'A', role: 'publisheronly' }, 'body.role'],
    [{ name: 'A', role: 'publisher', mediaMode: 'p2p' }, 'body.mediaMode'],
    [{ name: 'A', role: 'publisher', sessionId: 'has space' }, 'body.sessionId'],
    [{ name: 'A', role: 'publisher', extra: 1 }, 'body.extra'],
  ])('refuses %j naming %s', async (body, field) => {
    const res = await post(h, body);
    expect(res.statusCode).toBe(400);
    expect(json(res)).toMatchObject({ code: 40001, message: expect.stringContaining(field) });
  });

  it('refuses sessions that do not exist or belong to another project', async () => {
    const unknown = await post(h, { name: 'A', role: 'publisher', sessionId: '1_MX4xMjM0NX5-MTIzfn5-' });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toMatchObject({ code: 40401, message: expect.stringContaining('body.sessionId') });

    const other = await h.addProject();
    const created = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      payload: '',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(await projectAuth(other.project)),
      },
    });
    const foreign = json<{ session_id: string }[]>(created)[0]?.session_id;
    const res = await post(h, { name: 'A', role: 'publisher', sessionId: foreign });
    expect(res.statusCode).toBe(404);
  });

  it('lists archives through the REST API, or says recording is not available when it answers 501', async () => {
    const { sessionId } = json<JoinGrant>(await post(h, { name: 'A', role: 'publisher' }));
    const direct = await h.app.inject({
      method: 'GET',
      url: `/v2/project/${h.project.apiKey}/archive?sessionId=${sessionId}`,
      headers: await projectAuth(h.project),
    });
    const res = await h.app.inject({ method: 'GET', url: `/playground/api/sessions/${sessionId}/archives` });
    expect(res.statusCode).toBe(200);
    if (direct.statusCode === 501) {
      expect(json(res)).toEqual({
        available: false,
        reason: 'Recording is not available yet on this server.',
      });
    } else {
      expect(json(res)).toMatchObject({ available: true, archives: [] });
    }
    const missing = await h.app.inject({ method: 'GET', url: '/playground/api/sessions/nope/archives' });
    expect(missing.statusCode).toBe(404);
  });

  it('serves the page, its script (the client SDK bundled in) and styles with a strict CSP', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/playground' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<script type="module" src="/playground/app.js">');
    expect(page.body).toContain('For development only');
    const script = await h.app.inject({ method: 'GET', url: '/playground/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // The client SDK's error names and the page's endpoint are in the one bundle; no bare imports remain.
    expect(script.body).toContain('OT_AUTHENTICATION_ERROR');
    expect(script.body).toContain('/playground/api/join');
    expect(script.body).not.toMatch(/from\s*["']@parley\//);
    const css = await h.app.inject({ method: 'GET', url: '/playground/styles.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  }, 30_000);
});

describe('playground rate limit and switch', () => {
  it('limits the JSON endpoints per client address with 429 and Retry-After', async () => {
    // Near the wall clock: the REST JWTs and tokens the playground mints carry real times.
    let now = Date.now();
    const h = await createHarness({
      now: () => now,
      playground: { rateLimit: { ratePerSecond: 1, burst: 2 } },
    });
    try {
      expect((await post(h, { name: 'A', role: 'publisher' })).statusCode).toBe(201);
      expect((await post(h, { name: 'A', role: 'publisher' })).statusCode).toBe(201);
      const limited = await post(h, { name: 'A', role: 'publisher' });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      expect(json(limited)).toMatchObject({ code: 42901 });
      now += 1000;
      expect((await post(h, { name: 'A', role: 'publisher' })).statusCode).toBe(201);
    } finally {
      await h.close();
    }
  });

  it('is absent unless enabled', async () => {
    const h = await createHarness();
    try {
      expect((await h.app.inject({ method: 'GET', url: '/playground' })).statusCode).toBe(404);
      expect((await post(h, { name: 'A', role: 'moderator' })).statusCode).toBe(404);
    } finally {
      await h.close();
    }
  });

  it('refuses to mint when the project is suspended', async () => {
    const h = await createHarness({ playground: {} });
    try {
      await h.store.projects.update({ ...h.project, status: 'SUSPENDED' });
      const res = await post(h, { name: 'A', role: 'moderator' });
      expect(res.statusCode).toBe(404);
      expect(json(res)).toMatchObject({ message: expect.stringContaining('no active project') });
    } finally {
      await h.close();
    }
  });
});

describe('parley start and the playground', () => {
  const start = async (flags: string[]) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'parley-playground-'));
    const config = loadConfig({
      argv: ['--port', '0', '--store', 'memory', '--data-dir', dataDir, '--log-level', 'silent', ...flags],
      env: {},
      cwd: dataDir,
    });
    let output = '';
    const server = await startServer(config, {
      out: { write: (text: string) => (output += text) },
      logger: pino({ level: 'silent' }),
    });
    return {
      server,
      output: () => output,
      close: async () => {
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  };

  it('prints the playground link and serves it by default; --playground off removes both', async () => {
    const on = await start([]);
    try {
      expect(on.output()).toContain(`Playground: ${on.server.url}/playground`);
      const join = await fetch(`${on.server.url}/playground/api/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'A', role: 'publisher' }),
      });
      expect(join.status).toBe(201);
    } finally {
      await on.close();
    }
    const off = await start(['--playground', 'off']);
    try {
      expect(off.output()).not.toContain('Playground:');
      expect((await fetch(`${off.server.url}/playground`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
