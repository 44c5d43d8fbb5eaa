/**
 * The playground's recording endpoints (`POST …/sessions/:sessionId/archives` and
 * `POST …/archives/:archiveId/stop`) on the whole app, listening on loopback so a signaling client can
 * connect to the session being recorded: validation, foreign and unknown sessions, the REST API's
 * refusals passed through with their codes, and a recording from start to download.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../test/e2e/support/app-fixture.js';
import { waitFor } from '../recording/testing/media-checks.js';
import { createHarness, json, projectAuth } from '../testing/harness.js';
import type { ArchiveListing, ArchiveSummary, JoinGrant } from './app-server.js';

let fx: AppFixture;
beforeAll(async () => {
  fx = await startAppFixture({ playground: { rateLimit: null } });
});
afterAll(async () => {
  await fx?.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  fx.harness.app.inject({
    method,
    url: `/playground/api${url}`,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const start = (sessionId: string, body?: unknown) =>
  api('POST', `/sessions/${encodeURIComponent(sessionId)}/archives`, body);
const stop = (sessionId: string, archiveId: string) =>
  api('POST', `/sessions/${encodeURIComponent(sessionId)}/archives/${encodeURIComponent(archiveId)}/stop`);
const listing = async (sessionId: string) =>
  json<ArchiveListing>(await api('GET', `/sessions/${encodeURIComponent(sessionId)}/archives`));
const UNKNOWN_ARCHIVE = 'b40ef09b-3811-4726-b508-e41a0f96c68f';

/** A session of the playground's project, through its join endpoint. */
async function playgroundSession(mediaMode: 'routed' | 'relayed'): Promise<string> {
  const res = await api('POST', '/join', { name: 'Mod', role: 'moderator', mediaMode });
  expect(res.statusCode).toBe(201);
  const grant = json<JoinGrant>(res);
  expect(grant.mediaMode).toBe(mediaMode);
  return grant.sessionId;
}

describe('playground recording endpoints: refusals', () => {
  it.each([
    ['start', () => start('has space', {}), 'path.sessionId must be a session ID'],
    ['start', () => start('x'.repeat(256)), 'path.sessionId must be a session ID'],
    ['stop', () => stop('has space', UNKNOWN_ARCHIVE), 'path.sessionId must be a session ID'],
    ['stop', () => stop('1_MX4xfn5-', 'not-a-uuid'), 'path.archiveId must be an archive ID'],
    ['list', () => api('GET', '/sessions/has%20space/archives'), 'path.sessionId must be a session ID'],
  ])('%s: refuses a malformed path naming the parameter', async (_what, send, message) => {
    const res = await send();
    expect(res.statusCode).toBe(400);
    expect(json(res)).toEqual({ code: 40001, message: expect.stringContaining(message) });
  });

  it('refuses a bad start body naming the field', async () => {
    const sessionId = await playgroundSession('routed');
    for (const [body, field] of [
      [{ outputMode: 'individual' }, 'body.outputMode'],
      [{ name: 12 }, 'body.name'],
      [['x'], 'body'],
    ] as const) {
      const res = await start(sessionId, body);
      expect(res.statusCode).toBe(400);
      expect(json(res)).toMatchObject({ code: 40001, message: expect.stringContaining(field) });
    }
  });

  it('answers 404 naming path.sessionId for unknown sessions and sessions of another project', async () => {
    const other = await fx.harness.addProject();
    const created = await fx.harness.app.inject({
      method: 'POST',
      url: '/session/create',
      payload: 'p2p.preference=disabled',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(await projectAuth(other.project)),
      },
    });
    const foreign = json<{ session_id: string }[]>(created)[0]?.session_id ?? '';
    expect(foreign).not.toBe('');
    for (const sessionId of ['1_MX4xMjM0NX5-MTIzfn5-', foreign]) {
      for (const res of [
        await start(sessionId),
        await stop(sessionId, UNKNOWN_ARCHIVE),
        await api('GET', `/sessions/${sessionId}/archives`),
      ]) {
        expect(res.statusCode).toBe(404);
        expect(json(res)).toEqual({
          code: 40401,
          message: expect.stringMatching(/^path\.sessionId: no session .* in the playground's project/),
        });
      }
    }
  });

  it("passes the REST API's refusals through with their status and code", async () => {
    const relayed = await playgroundSession('relayed');
    const relayedRes = await start(relayed);
    expect(relayedRes.statusCode).toBe(409);
    expect(json(relayedRes)).toEqual({
      code: 40921,
      message: expect.stringMatching(/relayed.*\(while starting the archive\)$/),
    });

    // Routed, but nobody has connected: the API's 404 40421, not a generic error.
    const empty = await playgroundSession('routed');
    const emptyRes = await start(empty, { name: 'Nobody here' });
    expect(emptyRes.statusCode).toBe(404);
    expect(json(emptyRes)).toMatchObject({ code: 40421, message: expect.stringContaining('no clients') });

    const unknown = await stop(empty, UNKNOWN_ARCHIVE);
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({
      code: 40422,
      message: expect.stringContaining(`path.archiveId: no archive ${UNKNOWN_ARCHIVE} of session`),
    });
  });

  it('rate-limits the recording endpoints like the others', async () => {
    let now = Date.now();
    const h = await createHarness({
      now: () => now,
      playground: { rateLimit: { ratePerSecond: 1, burst: 1 } },
    });
    try {
      expect(
        (await h.app.inject({ method: 'POST', url: '/playground/api/sessions/s/archives' })).statusCode,
      ).toBe(404);
      const limited = await h.app.inject({
        method: 'POST',
        url: `/playground/api/sessions/s/archives/${UNKNOWN_ARCHIVE}/stop`,
      });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      now += 1000;
      expect(
        (await h.app.inject({ method: 'POST', url: '/playground/api/sessions/s/archives' })).statusCode,
      ).toBe(404);
    } finally {
      await h.close();
    }
  });
});

describe('playground recording endpoints: a recording', () => {
  it('starts a composed archive, refuses a second one and foreign stops, stops it and lists how it ended', async () => {
    const sessionId = await playgroundSession('routed');
    const otherSession = await playgroundSession('routed');
    await fx.join(sessionId, 'moderator');

    const res = await start(sessionId, { name: 'Playground check' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const archive = json<ArchiveSummary>(res);
    expect(archive).toMatchObject({ name: 'Playground check', status: 'started', duration: 0, url: null });
    const record = await fx.harness.store.archives.get(fx.harness.project.applicationId, archive.id);
    // Nobody publishes in this session, so the archive pauses at once (as Vonage's does).
    expect(record).toMatchObject({ sessionId, status: expect.stringMatching(/^(started|paused)$/) });
    expect(record?.data).toMatchObject({ outputMode: 'composed' });

    const again = await start(sessionId);
    expect(again.statusCode).toBe(409);
    expect(json(again)).toMatchObject({ code: 40922 });
    // The archive is not the other session's to stop.
    const foreign = await stop(otherSession, archive.id);
    expect(foreign.statusCode).toBe(404);
    expect(json(foreign)).toMatchObject({ code: 40422, message: expect.stringContaining('path.archiveId') });

    const stopped = await stop(sessionId, archive.id);
    expect(stopped.statusCode).toBe(200);
    expect(['stopped', 'available']).toContain(json<ArchiveSummary>(stopped).status);
    const twice = await stop(sessionId, archive.id);
    expect(twice.statusCode).toBe(409);
    expect(json(twice)).toMatchObject({ code: 40901 });

    // Nobody published, so the recording ends `failed` with the reason; the list shows both, and no link.
    // (The browser test records real media through to a download.)
    const ended = await waitFor(
      async () => {
        const list = await listing(sessionId);
        const found = list.available ? list.archives.find((a) => a.id === archive.id) : undefined;
        return found && !['started', 'paused', 'stopped'].includes(found.status) ? found : null;
      },
      20_000,
      'the archive to finish',
    );
    expect(ended).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('nothing was recorded'),
      url: null,
      name: 'Playground check',
    });
    expect(await listing(otherSession)).toEqual({ available: true, archives: [] });
  }, 30_000);
});
