/**
 * Experience Composer renders with a real headless Chromium: a local page (a green canvas with a moving
 * square and a tone) is rendered into a routed session and a second participant (another Chromium with
 * `@parley/client`) receives its video and audio; stopping ends the stream; `maxDuration` stops it; the
 * `renderStatus` webhooks go to `statusCallbackUrl` or the project's `render` callback; a force-disconnect
 * stops it; an unreachable page fails with a reason instead of hanging, and so does a page that loads
 * another document (History API changes are fine); a render stopped while starting never publishes.
 * Loopback only.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { json, projectAuth } from '../../testing/harness.js';
import { DEFAULT_CHROMIUM_PATH } from './chromium.js';
import { STAGE_RGB, type StageServer, startStageServer } from './testing/stage-server.js';
import { launchSubscriberBrowser, receiveStream } from './testing/subscriber-page.js';
import type { RenderView } from './types.js';

/**
 * The shortest `maxDuration` (60 s) lasts 25 s here: long enough for the render to start (publishing
 * takes about 12 s on these machines), short enough for a test.
 */
const SHORT_MAX_DURATION_MS = 25_000;

describe.skipIf(!existsSync(DEFAULT_CHROMIUM_PATH))('renders in Chromium', () => {
  let fx: AppFixture;
  let stage: StageServer;
  let subscriberBrowser: Browser;

  beforeAll(async () => {
    stage = await startStageServer();
    fx = await startAppFixture({
      renders: {
        chromiumPath: DEFAULT_CHROMIUM_PATH,
        // Nothing leaves the machine: every name but 127.0.0.1 fails to resolve.
        extraChromiumFlags: ['--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
        maxDurationMs: (seconds) => (seconds === 60 ? SHORT_MAX_DURATION_MS : seconds * 1000),
      },
    });
    subscriberBrowser = await launchSubscriberBrowser(DEFAULT_CHROMIUM_PATH);
  }, 60_000);

  afterAll(async () => {
    await subscriberBrowser?.close();
    await fx?.close();
    await stage?.close();
  });

  const call = async (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object) =>
    fx.harness.app.inject({
      method,
      url: `/v2/project/${fx.harness.project.apiKey}${path}`,
      headers: await projectAuth(fx.harness.project),
      ...(payload ? { payload } : {}),
    });

  const getRender = async (id: string): Promise<RenderView> =>
    json<RenderView>(await call('GET', `/render/${id}`));

  it('publishes the page into the session, where a participant receives it, until stopped', async () => {
    const sessionId = await fx.createSession('routed');
    const started = await call('POST', '/render', {
      sessionId,
      token: fx.token(sessionId, 'publisher'),
      url: stage.stageUrl,
      resolution: '640x480',
      maxDuration: 36_000,
      properties: { name: 'Stage view' },
      statusCallbackUrl: `${stage.origin}/hooks/lifecycle`,
    });
    expect(started.statusCode).toBe(202);
    const render = json<RenderView>(started);
    expect(render).toMatchObject({
      sessionId,
      status: 'starting',
      url: stage.stageUrl,
      resolution: '640x480',
      name: 'Stage view',
      callbackUrl: `${stage.origin}/hooks/lifecycle`,
      projectId: fx.harness.project.apiKey,
      applicationId: fx.harness.project.applicationId,
    });
    expect(render.streamId).toBeUndefined();

    const startedHook = await stage.waitForHook(
      (h) => h.path === '/hooks/lifecycle' && h.body.status === 'started',
    );
    expect(startedHook.body).toMatchObject({ id: render.id, event: 'render', sessionId, name: 'Stage view' });
    const streamId = startedHook.body.streamId as string;
    expect(await getRender(render.id)).toMatchObject({ status: 'started', streamId });
    const live = fx.harness.app.realtime.registry.get(sessionId);
    expect(live?.streams.map((s) => ({ id: s.id, name: s.name }))).toEqual([
      { id: streamId, name: 'Stage view' },
    ]);

    const received = await receiveStream(subscriberBrowser, {
      pageUrl: stage.blankUrl,
      serverUrl: fx.baseUrl,
      apiKey: fx.harness.project.apiKey,
      sessionId,
      token: fx.token(sessionId, 'subscriber'),
      streamId,
    });
    expect(received).toMatchObject({ name: 'Stage view', width: 640, height: 480 });
    // The stage's green, through VP8 (colours shift a little).
    const [r, g, b] = received.pixel as [number, number, number];
    expect(Math.abs(r - STAGE_RGB[0])).toBeLessThan(40);
    expect(Math.abs(g - STAGE_RGB[1])).toBeLessThan(40);
    expect(Math.abs(b - STAGE_RGB[2])).toBeLessThan(40);
    // The stage's tone.
    expect(received.audioLevel).toBeGreaterThan(0.01);

    const stopped = await call('DELETE', `/render/${render.id}`);
    expect(stopped.statusCode).toBe(204);
    expect(live?.streams).toEqual([]);
    expect(await getRender(render.id)).toMatchObject({
      status: 'stopped',
      reason: 'Stop Requested',
      streamId,
    });
    const stoppedHook = await stage.waitForHook(
      (h) => h.path === '/hooks/lifecycle' && h.body.status === 'stopped',
    );
    expect(stoppedHook.body).toMatchObject({ id: render.id, reason: 'Stop Requested', streamId });
    const again = await call('DELETE', `/render/${render.id}`);
    expect(again.statusCode).toBe(404);
    expect(json(again)).toEqual({ code: 40461, message: `Render ${render.id} has already stopped` });
  }, 90_000);

  it('stops at maxDuration and reports to the project callback, and a force-disconnect stops it too', async () => {
    const sessionId = await fx.createSession('routed');
    await fx.harness.store.callbacks.create({
      id: 'render-callback',
      applicationId: fx.harness.project.applicationId,
      group: 'render',
      event: 'status',
      url: `${stage.origin}/hooks/project`,
      createdAt: Date.now(),
    });
    // Both start at once: one runs into its maxDuration, the other is force-disconnected.
    const [short, long] = await Promise.all([
      call('POST', '/render', {
        sessionId,
        token: fx.token(sessionId, 'publisher'),
        url: stage.stageUrl,
        maxDuration: 60,
        resolution: '480x640',
      }).then((r) => json<RenderView>(r)),
      call('POST', '/render', {
        sessionId,
        token: fx.token(sessionId, 'moderator'),
        url: stage.stageUrl,
        maxDuration: 36_000,
      }).then((r) => json<RenderView>(r)),
    ]);

    const longStarted = await stage.waitForHook((h) => h.body.id === long.id && h.body.status === 'started');
    expect(longStarted.path).toBe('/hooks/project');
    const live = fx.harness.app.realtime.registry.get(sessionId);
    const connectionId = live?.streams.find((s) => s.id === longStarted.body.streamId)?.connectionId;
    expect(connectionId).toBeDefined();
    const kicked = await call('DELETE', `/session/${sessionId}/connection/${connectionId}`);
    expect(kicked.statusCode).toBe(204);
    const longStopped = await stage.waitForHook((h) => h.body.id === long.id && h.body.status === 'stopped');
    expect(longStopped.body).toMatchObject({ reason: 'Stop Requested', streamId: longStarted.body.streamId });
    expect(await getRender(long.id)).toMatchObject({ status: 'stopped', reason: 'Stop Requested' });

    const shortStarted = await stage.waitForHook(
      (h) => h.body.id === short.id && h.body.status === 'started',
    );
    const shortEnded = await stage.waitForHook(
      (h) => h.body.id === short.id && h.body.status !== 'started',
      SHORT_MAX_DURATION_MS + 10_000,
    );
    expect(shortEnded.body).toMatchObject({
      status: 'stopped',
      reason: 'Max Duration Exceeded',
      streamId: shortStarted.body.streamId,
      resolution: '480x640',
      name: '',
    });
    expect(await getRender(short.id)).toMatchObject({ status: 'stopped', reason: 'Max Duration Exceeded' });
    expect(live?.streams).toEqual([]);
  }, 90_000);

  it('fails with a reason when the page cannot be loaded', async () => {
    const sessionId = await fx.createSession('routed');
    // A plain-http page on another host also exercises the dedicated browser for insecure origins.
    const url = 'http://unreachable.render.test/stage';
    const render = json<RenderView>(
      await call('POST', '/render', {
        sessionId,
        token: fx.token(sessionId, 'publisher'),
        url,
        statusCallbackUrl: `${stage.origin}/hooks/failing`,
      }),
    );
    const failed = await stage.waitForHook((h) => h.path === '/hooks/failing');
    expect(failed.body).toMatchObject({ id: render.id, status: 'failed' });
    expect(failed.body.streamId).toBeUndefined();
    expect(failed.body.reason).toBe(`The page ${url} could not be loaded: net::ERR_NAME_NOT_RESOLVED`);
    expect(await getRender(render.id)).toMatchObject({ status: 'failed', reason: failed.body.reason });
  }, 60_000);

  it('keeps rendering through History API changes, and fails when the page loads another document', async () => {
    const sessionId = await fx.createSession('routed');
    const render = json<RenderView>(
      await call('POST', '/render', {
        sessionId,
        token: fx.token(sessionId, 'publisher'),
        url: stage.hopUrl,
        statusCallbackUrl: `${stage.origin}/hooks/hop`,
      }),
    );
    await stage.waitForHook((h) => h.path === '/hooks/hop' && h.body.status === 'started');
    // The page has been pushing history entries every 200 ms all along.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await getRender(render.id)).status).toBe('started');
    stage.hop();
    const failed = await stage.waitForHook((h) => h.path === '/hooks/hop' && h.body.status !== 'started');
    expect(failed.body).toMatchObject({
      status: 'failed',
      reason: `The rendered page navigated away to ${stage.blankUrl}`,
    });
    expect(fx.harness.app.realtime.registry.get(sessionId)?.streams ?? []).toEqual([]);
  }, 60_000);

  it('ends a render stopped while it is starting as failed, and never publishes it', async () => {
    const sessionId = await fx.createSession('routed');
    const render = json<RenderView>(
      await call('POST', '/render', {
        sessionId,
        token: fx.token(sessionId, 'publisher'),
        url: stage.stageUrl,
        statusCallbackUrl: `${stage.origin}/hooks/early-stop`,
      }),
    );
    expect((await call('DELETE', `/render/${render.id}`)).statusCode).toBe(204);
    expect(fx.harness.app.renders.runningCount).toBe(0);
    const failed = await stage.waitForHook((h) => h.path === '/hooks/early-stop');
    expect(failed.body).toMatchObject({
      id: render.id,
      status: 'failed',
      reason: 'Stop Requested before the page was published',
    });
    expect(await getRender(render.id)).toMatchObject({
      status: 'failed',
      reason: 'Stop Requested before the page was published',
    });
    // Long enough for a page left open to have published (it takes about 12 s here).
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    expect(fx.harness.app.realtime.registry.get(sessionId)?.streams ?? []).toEqual([]);
    expect(stage.hooks.filter((h) => h.body.id === render.id)).toHaveLength(1);
  }, 60_000);
});
