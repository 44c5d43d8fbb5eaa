import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { openTokLive, vonageVideo } from '../../../test/e2e/support/sdk-clients.js';
import { projectAuth } from '../../testing/harness.js';

let fx: AppFixture;
beforeAll(async () => {
  fx = await startAppFixture();
});
afterAll(() => fx.close());

describe('signals from the REST API', () => {
  it('reaches every client with an empty from-address (opentok SDK)', async () => {
    const sessionId = await fx.createSession();
    const alice = await fx.join(sessionId);
    const bob = await fx.join(sessionId);
    await openTokLive(fx).signal(sessionId, null, { type: 'news', data: 'hello' });
    for (const who of [alice, bob]) {
      const signal = await who.client.message((m) => m.method === 'signal');
      expect(signal).toMatchObject({ from: '', content: { type: 'news', data: 'hello' } });
    }
  });

  it('reaches one connection (@vonage/video) and 404s for one that is not connected', async () => {
    const sessionId = await fx.createSession();
    const alice = await fx.join(sessionId);
    const bob = await fx.join(sessionId);
    const video = vonageVideo(fx);
    await video.sendSignal({ type: 'dm', data: 'psst' }, sessionId, bob.connectionId);
    expect((await bob.client.message((m) => m.method === 'signal')).content).toEqual({
      type: 'dm',
      data: 'psst',
    });
    await openTokLive(fx).signal(sessionId, null, { type: 'after', data: '' });
    expect((await alice.client.message((m) => m.method === 'signal')).content).toMatchObject({
      type: 'after',
    });
    const res = await fx.harness.app.inject({
      method: 'POST',
      url: `/v2/project/${fx.harness.project.apiKey}/session/${sessionId}/connection/ghost/signal`,
      headers: await projectAuth(fx.harness.project),
      payload: { type: 'x', data: '' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 40411 });
  });

  it('answers 204 for a session with nobody connected and 404 for an unknown session', async () => {
    const sessionId = await fx.createSession();
    const headers = await projectAuth(fx.harness.project);
    const ok = await fx.harness.app.inject({
      method: 'POST',
      url: `/v2/project/${fx.harness.project.apiKey}/session/${sessionId}/signal`,
      headers,
      payload: { type: '', data: '' },
    });
    expect(ok.statusCode).toBe(204);
    const missing = await fx.harness.app.inject({
      method: 'POST',
      url: `/v2/project/${fx.harness.project.apiKey}/session/2_MX4xfn5-fg/signal`,
      headers: await projectAuth(fx.harness.project),
      payload: { type: '', data: '' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('answers 413 for oversized fields and 400 for bad characters', async () => {
    const sessionId = await fx.createSession();
    const url = `/v2/project/${fx.harness.project.apiKey}/session/${sessionId}/signal`;
    const big = await fx.harness.app.inject({
      method: 'POST',
      url,
      headers: await projectAuth(fx.harness.project),
      payload: { type: 'a', data: 'x'.repeat(8193) },
    });
    expect(big.statusCode).toBe(413);
    const bad = await fx.harness.app.inject({
      method: 'POST',
      url,
      headers: await projectAuth(fx.harness.project),
      payload: { type: 'a b', data: '' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
