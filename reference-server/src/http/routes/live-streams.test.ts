import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { openTokLive, vonageVideo } from '../../../test/e2e/support/sdk-clients.js';
import { projectAuth } from '../../testing/harness.js';

let fx: AppFixture;
beforeAll(async () => {
  fx = await startAppFixture();
});
afterAll(() => fx.close());

async function publishedSession() {
  const sessionId = await fx.createSession();
  const alice = await fx.join(sessionId);
  const uri = (id: string) => `/v2/partner/${fx.harness.project.apiKey}/session/${sessionId}/stream/${id}`;
  await alice.client.request('create', uri('cam'), {
    name: 'Alice',
    channel: [
      { id: 'audio1', type: 'audio' },
      { id: 'video1', type: 'video', source: 'camera' },
    ],
  });
  await alice.client.request('create', uri('screen'), {
    name: 'Alice screen',
    channel: [{ id: 'video1', type: 'video', source: 'screen' }],
  });
  await alice.client.request('create', uri('voice'), {
    name: 'Alice voice',
    channel: [{ id: 'audio1', type: 'audio' }],
  });
  return sessionId;
}

describe('streams of a live session', () => {
  it('lists (opentok SDK) and gets (@vonage/video) streams with videoType, name and layout classes', async () => {
    const sessionId = await publishedSession();
    const ot = openTokLive(fx);
    const streams = await ot.listStreams(sessionId);
    expect(streams.map((s) => [s.id, s.videoType, s.name])).toEqual([
      ['cam', 'camera', 'Alice'],
      ['screen', 'screen', 'Alice screen'],
      ['voice', undefined, 'Alice voice'],
    ]);
    expect(await vonageVideo(fx).getStreamInfo(sessionId, 'cam')).toMatchObject({
      id: 'cam',
      layoutClassList: [],
    });
  });

  it('sets layout classes all-or-nothing (@vonage/video)', async () => {
    const sessionId = await publishedSession();
    const video = vonageVideo(fx);
    await video.setStreamClassLists(sessionId, [
      { id: 'cam', layoutClassList: ['full', 'focus'] },
      { id: 'screen', layoutClassList: [] },
    ]);
    expect(await video.getStreamInfo(sessionId, 'cam')).toMatchObject({ layoutClassList: ['full', 'focus'] });
    const url = `/v2/project/${fx.harness.project.apiKey}/session/${sessionId}/stream`;
    const unknown = await fx.harness.app.inject({
      method: 'PUT',
      url,
      headers: await projectAuth(fx.harness.project),
      payload: {
        items: [
          { id: 'screen', layoutClassList: ['x'] },
          { id: 'ghost', layoutClassList: [] },
        ],
      },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 40412 });
    const duplicate = await fx.harness.app.inject({
      method: 'PUT',
      url,
      headers: await projectAuth(fx.harness.project),
      payload: {
        items: [
          { id: 'screen', layoutClassList: ['x'] },
          { id: 'screen', layoutClassList: [] },
        ],
      },
    });
    expect(duplicate.json()).toMatchObject({ code: 40014 });
    // Neither failed update changed anything.
    expect(await video.getStreamInfo(sessionId, 'screen')).toMatchObject({ layoutClassList: [] });
  });

  it('answers an empty list for a session without streams and 404 for an unknown stream', async () => {
    const sessionId = await fx.createSession();
    expect(await openTokLive(fx).listStreams(sessionId)).toEqual([]);
    const res = await fx.harness.app.inject({
      method: 'GET',
      url: `/v2/project/${fx.harness.project.apiKey}/session/${sessionId}/stream/nope`,
      headers: await projectAuth(fx.harness.project),
    });
    expect(res.statusCode).toBe(404);
  });
});
