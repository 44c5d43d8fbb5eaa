/**
 * The render operations without a browser: every error path of `startRender` (body, session, token,
 * relayed and encrypted sessions, no browser configured), listing and getting stored renders, unknown IDs,
 * the recovery of renders cut off by a crash, and 501 when renders are left out. `renders.chromium.test.ts`
 * (beside the render manager) renders real pages.
 */
import OpenTok from 'opentok';
import { afterEach, describe, expect, it } from 'vitest';
import { aRender } from '../../store/store.fixtures.js';
import type { SessionRecord, TokenRole } from '../../store/types.js';
import { createHarness, type Harness, json, projectAuth } from '../../testing/harness.js';
import { encodeSessionId } from '../../tokens/session-id.js';

const PAGE = 'https://stage.example.test/view';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A harness whose renders have no browser, so nothing is ever launched. */
async function noBrowser(): Promise<Harness> {
  harness = await createHarness({ renders: { chromiumPath: null } });
  return harness;
}

async function createSession(h: Harness, overrides: Partial<SessionRecord> = {}): Promise<string> {
  const now = Date.now();
  const sessionId = encodeSessionId({ ...h.project, location: null, createdAt: now });
  await h.store.sessions.create({
    sessionId,
    applicationId: h.project.applicationId,
    mediaMode: 'routed',
    archiveMode: 'manual',
    location: null,
    e2ee: false,
    archiveName: null,
    archiveResolution: null,
    createdAt: now,
    ...overrides,
  });
  return sessionId;
}

function token(h: Harness, sessionId: string, role: TokenRole = 'publisher'): string {
  return new OpenTok(h.project.apiKey, h.project.apiSecret).generateToken(sessionId, { role });
}

async function call(h: Harness, method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object) {
  return h.app.inject({
    method,
    url: `/v2/project/${h.project.apiKey}${path}`,
    headers: await projectAuth(h.project),
    ...(payload ? { payload } : {}),
  });
}

async function expectError(
  response: Promise<{ statusCode: number; body: string }>,
  status: number,
  code: number,
  message?: string | RegExp,
): Promise<void> {
  const answered = await response;
  const body = json<{ code: number; message: string }>(answered);
  expect({ status: answered.statusCode, code: body.code }).toEqual({ status, code });
  if (message !== undefined) expect(body.message).toMatch(message);
}

describe('startRender refusals', () => {
  it('refuses bad fields with the field named', async () => {
    const h = await noBrowser();
    const sessionId = await createSession(h);
    const base = { sessionId, token: token(h, sessionId), url: PAGE };
    await expectError(call(h, 'POST', '/render', { ...base, maxDuration: 59 }), 400, 40001, /maxDuration/);
    await expectError(
      call(h, 'POST', '/render', { ...base, maxDuration: 36_001 }),
      400,
      40001,
      /maxDuration/,
    );
    await expectError(
      call(h, 'POST', '/render', { ...base, url: 'ftp://example.test/x' }),
      400,
      40001,
      /url/,
    );
    await expectError(
      call(h, 'POST', '/render', { ...base, resolution: '800x600' }),
      400,
      40001,
      /resolution/,
    );
    await expectError(call(h, 'POST', '/render', { ...base, properties: { name: '' } }), 400, 40001, /name/);
    await expectError(call(h, 'POST', '/render', { sessionId, url: PAGE }), 400, 40001, /token/);
  });

  it('answers 404 for unknown sessions and sessions of other projects', async () => {
    const h = await noBrowser();
    const unknown = encodeSessionId({ ...h.project, location: null, createdAt: Date.now() });
    await expectError(
      call(h, 'POST', '/render', { sessionId: unknown, token: token(h, unknown), url: PAGE }),
      404,
      40401,
    );
    const other = await h.addProject();
    const otherHarness = { ...h, project: other.project };
    const foreign = await createSession(otherHarness);
    await expectError(
      call(h, 'POST', '/render', { sessionId: foreign, token: token(otherHarness, foreign), url: PAGE }),
      404,
      40401,
    );
  });

  it('answers 409 for relayed and end-to-end encrypted sessions', async () => {
    const h = await noBrowser();
    const relayed = await createSession(h, { mediaMode: 'relayed' });
    await expectError(
      call(h, 'POST', '/render', { sessionId: relayed, token: token(h, relayed), url: PAGE }),
      409,
      40963,
      'Experience Composer is only available in routed sessions',
    );
    const encrypted = await createSession(h, { e2ee: true });
    await expectError(
      call(h, 'POST', '/render', { sessionId: encrypted, token: token(h, encrypted), url: PAGE }),
      409,
      40964,
    );
  });

  it('refuses tokens that are invalid, for another session, or cannot publish', async () => {
    const h = await noBrowser();
    const sessionId = await createSession(h);
    const other = await createSession(h);
    await expectError(
      call(h, 'POST', '/render', { sessionId, token: 'not-a-token', url: PAGE }),
      400,
      40060,
      /^body\.token is not a valid client token for body\.sessionId/,
    );
    await expectError(
      call(h, 'POST', '/render', { sessionId, token: token(h, other), url: PAGE }),
      400,
      40060,
      new RegExp(`admits to session ${other}`),
    );
    await expectError(
      call(h, 'POST', '/render', { sessionId, token: token(h, sessionId, 'subscriber'), url: PAGE }),
      400,
      40062,
    );
  });

  it('answers 500 saying how to configure a browser when none is', async () => {
    const h = await noBrowser();
    const sessionId = await createSession(h);
    await expectError(
      call(h, 'POST', '/render', { sessionId, token: token(h, sessionId), url: PAGE }),
      500,
      50002,
      /--chromium/,
    );
    expect(await h.store.renders.list(h.project.applicationId, { offset: 0, count: 10 })).toEqual({
      total: 0,
      items: [],
    });
  });

  it('answers 500 naming the path when the configured browser cannot be run', async () => {
    harness = await createHarness({ renders: { chromiumPath: '/nonexistent/chromium' } });
    const sessionId = await createSession(harness);
    await expectError(
      call(harness, 'POST', '/render', { sessionId, token: token(harness, sessionId), url: PAGE }),
      500,
      50002,
      /, \/nonexistent\/chromium, cannot be run/,
    );
  });
});

describe('reading renders', () => {
  it('lists newest first with paging, gets one, and answers 404 for unknown IDs', async () => {
    const h = await noBrowser();
    const app = h.project.applicationId;
    await h.store.renders.put(aRender({ id: 'r-old', applicationId: app, status: 'failed', createdAt: 1 }));
    await h.store.renders.put(
      aRender({
        id: 'r-new',
        applicationId: app,
        status: 'stopped',
        createdAt: 2,
        data: {
          url: PAGE,
          resolution: '640x480',
          maxDuration: 60,
          name: 'Stage',
          streamId: 'stream-1',
          connectionId: 'connection-1',
          reason: 'Max Duration Exceeded',
        },
      }),
    );
    const list = json<{ count: number; items: { id: string }[] }>(await call(h, 'GET', '/render'));
    expect(list.count).toBe(2);
    expect(list.items.map((r) => r.id)).toEqual(['r-new', 'r-old']);
    const page = json<{ count: number; items: { id: string }[] }>(
      await call(h, 'GET', '/render?offset=1&count=1'),
    );
    expect(page).toMatchObject({ count: 2, items: [{ id: 'r-old' }] });

    const got = await call(h, 'GET', '/render/r-new');
    expect(got.statusCode).toBe(200);
    expect(json(got)).toEqual({
      id: 'r-new',
      sessionId: 'session-a',
      projectId: h.project.apiKey,
      applicationId: app,
      createdAt: 2,
      updatedAt: 1_700_000_000_000,
      url: PAGE,
      resolution: '640x480',
      status: 'stopped',
      streamId: 'stream-1',
      reason: 'Max Duration Exceeded',
      name: 'Stage',
    });
    await expectError(call(h, 'GET', '/render/unknown'), 404, 40460, 'Render unknown was not found');
    await expectError(call(h, 'DELETE', '/render/unknown'), 404, 40460);
    await expectError(call(h, 'DELETE', '/render/r-new'), 404, 40461, 'Render r-new has already stopped');
  });

  it('marks renders cut off by a crash failed at start-up and reports them', async () => {
    const first = await createHarness({ renders: { chromiumPath: null } });
    const { store, project } = first;
    await first.close();
    await store.callbacks.create({
      id: 'cb-render',
      applicationId: project.applicationId,
      group: 'render',
      event: 'status',
      url: 'https://hooks.example.test/render',
      createdAt: 1,
    });
    await store.renders.put(aRender({ id: 'was-starting', applicationId: project.applicationId }));
    await store.renders.put(
      aRender({
        id: 'was-started',
        applicationId: project.applicationId,
        status: 'started',
        data: { url: PAGE, resolution: '1280x720', maxDuration: 1800, streamId: 'stream-9' },
      }),
    );
    harness = await createHarness({ store, renders: { chromiumPath: null } });
    for (const id of ['was-starting', 'was-started']) {
      expect(json(await call({ ...harness, project }, 'GET', `/render/${id}`))).toMatchObject({
        status: 'failed',
        reason: 'The server restarted while the render was running',
      });
    }
    await harness.app.parley.events.flush();
    const deliveries = await store.webhookDeliveries.list(project.applicationId, { offset: 0, count: 10 });
    const bodies = deliveries.items.map((d) => JSON.parse(d.body) as Record<string, unknown>);
    expect(bodies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'was-starting', event: 'render', status: 'failed' }),
        expect.objectContaining({ id: 'was-started', status: 'failed', streamId: 'stream-9' }),
      ]),
    );
  });

  it('answers 501 when renders are left out', async () => {
    harness = await createHarness({ renders: null });
    await expectError(call(harness, 'GET', '/render'), 501, 50101);
  });
});
