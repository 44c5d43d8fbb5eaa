/**
 * The broadcast operations over real HTTP: responses, every error path, the automatic stops and the
 * official `@vonage/video` SDK. Sessions here publish nothing, so no composer process runs (a broadcast
 * with nothing to show is paused); `broadcasts.media.test.ts` checks the real HLS and RTMP output.
 */
import { LayoutType, Video } from '@vonage/video';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../recording/testing/media-checks.js';
import { type BroadcastFixture, startBroadcastFixture } from './broadcasts.fixture.js';

let fx: BroadcastFixture;
beforeAll(async () => {
  fx = await startBroadcastFixture();
});
afterAll(() => fx.close());

/** A routed session with one connected client. */
async function liveSession(): Promise<string> {
  const sessionId = await fx.createSession();
  fx.mediaSources.open(sessionId);
  return sessionId;
}

async function start(
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fx.call('POST', fx.projectPath('/broadcast'), body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function expectError(
  response: Promise<{ status: number; json: () => Promise<unknown> }>,
  status: number,
  code: number,
  message?: string | RegExp,
): Promise<void> {
  const { status: actual, json } = await response;
  const body = (await json()) as { code: number; message: string };
  expect({ status: actual, code: body.code }).toEqual({ status, code });
  if (message) expect(body.message).toMatch(message);
}

describe('broadcast lifecycle over HTTP', () => {
  it('starts, gets, lists and stops an HLS + RTMP broadcast, with webhooks on status changes', async () => {
    const sessionId = await liveSession();
    const started = await start({
      sessionId,
      outputs: { hls: { dvr: true }, rtmp: [{ serverUrl: 'rtmp://127.0.0.1:9/app', streamName: 'key' }] },
      resolution: '1280x720',
      maxBitrate: 2_000_000,
      multiBroadcastTag: 'main',
      layout: 'pip',
    });
    expect(started.status).toBe(200);
    const id = started.body.id as string;
    expect(started.body).toMatchObject({
      sessionId,
      applicationId: fx.harness.project.applicationId,
      projectId: fx.harness.project.apiKey,
      status: 'started',
      maxDuration: 14_400,
      maxBitrate: 2_000_000,
      resolution: '1280x720',
      streamMode: 'auto',
      hasAudio: true,
      hasVideo: true,
      multiBroadcastTag: 'main',
      settings: { hls: { dvr: true, lowLatency: false } },
      broadcastUrls: {
        hls: `${fx.baseUrl}/hls/${id}/index.m3u8?DVR`,
        hlsStatus: 'connecting',
        rtmp: [{ id: 'rtmp1', serverUrl: 'rtmp://127.0.0.1:9/app', streamName: 'key', status: 'connecting' }],
      },
    });
    expect(started.body.streams).toBeUndefined();
    await waitFor(() => fx.webhooks.some((w) => w.payload.id === id), 5000, 'the started webhook');
    expect(fx.webhooks.find((w) => w.payload.id === id)).toMatchObject({
      name: 'broadcastStatus',
      payload: { event: 'broadcast', status: 'started', partnerId: fx.harness.project.apiKey },
    });

    const got = await fx.call('GET', fx.projectPath(`/broadcast/${id}`));
    expect(await got.json()).toMatchObject({ id, status: 'started' });
    const listed = (await (
      await fx.call('GET', fx.projectPath(`/broadcast?session_id=${sessionId}`))
    ).json()) as {
      count: number;
      items: { id: string }[];
    };
    expect(listed).toMatchObject({ count: 1, items: [{ id }] });
    await expectError(
      fx.call('GET', fx.projectPath(`/broadcast?sessionId=${sessionId}&session_id=other`)),
      400,
      40001,
      'query.sessionId and query.session_id must be equal',
    );

    const stopped = await fx.call('POST', fx.projectPath(`/broadcast/${id}/stop`), {});
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toMatchObject({
      status: 'stopped',
      broadcastUrls: { hlsStatus: 'ended', rtmp: [{ status: 'ended' }] },
    });
    await waitFor(() => fx.webhooks.some((w) => w.payload.id === id && w.payload.status === 'stopped'), 5000);
    await expectError(fx.call('POST', fx.projectPath(`/broadcast/${id}/stop`)), 404, 40433);
    await expectError(fx.call('PUT', fx.projectPath(`/broadcast/${id}/layout`), { type: 'pip' }), 409, 40933);
    await expectError(
      fx.call('GET', fx.projectPath('/broadcast/00000000-0000-4000-8000-000000000000')),
      404,
      40431,
      'No matching broadcast found',
    );
    await expectError(fx.call('GET', fx.projectPath('/broadcast/not-a-uuid')), 400, 40001);
  });

  it('refuses what cannot be broadcast, naming the reason', async () => {
    const sessionId = await liveSession();
    const hls = { hls: {} };
    await expectError(
      fx.call('POST', fx.projectPath('/broadcast'), { sessionId: 'nope', outputs: hls }),
      404,
      40401,
    );
    const other = await fx.harness.addProject();
    const record = await fx.harness.store.sessions.get(sessionId);
    if (!record) throw new Error('the session was not stored');
    await fx.harness.store.sessions.create({
      ...record,
      sessionId: 'foreign-session',
      applicationId: other.project.applicationId,
    });
    await expectError(
      fx.call('POST', fx.projectPath('/broadcast'), { sessionId: 'foreign-session', outputs: hls }),
      404,
      40401,
    );
    const relayed = await fx.createSession({ mediaMode: 'relayed' });
    await expectError(
      fx.call('POST', fx.projectPath('/broadcast'), { sessionId: relayed, outputs: hls }),
      409,
      40921,
      'cannot be broadcast',
    );
    const encrypted = await fx.createSession({ e2ee: true });
    fx.mediaSources.open(encrypted);
    await expectError(
      fx.call('POST', fx.projectPath('/broadcast'), { sessionId: encrypted, outputs: hls }),
      409,
      40924,
    );
    const empty = await fx.createSession();
    await expectError(
      fx.call('POST', fx.projectPath('/broadcast'), { sessionId: empty, outputs: hls }),
      404,
      40421,
    );
    fx.mediaSources.open(empty).setConnectionCount(0);
    await expectError(
      fx.call('POST', fx.projectPath('/broadcast'), { sessionId: empty, outputs: hls }),
      404,
      40421,
    );

    const bad = (body: Record<string, unknown>) =>
      fx.call('POST', fx.projectPath('/broadcast'), { sessionId, ...body });
    await expectError(bad({ outputs: hls, layout: { type: 'custom', stylesheet: 'stream {}' } }), 400, 40022);
    await expectError(bad({ outputs: { hls: { dvr: true, lowLatency: true } } }), 400, 40001);
    await expectError(bad({ outputs: {} }), 400, 40001);
    await expectError(bad({ outputs: { rtmp: [] } }), 400, 40001);
    const six = Array.from({ length: 6 }, (_, i) => ({ serverUrl: 'rtmp://h/app', streamName: `k${i}` }));
    await expectError(bad({ outputs: { rtmp: six } }), 400, 40001, /rtmp/);
    const twins = [
      { id: 'a', serverUrl: 'rtmp://h/app', streamName: 'k1' },
      { id: 'a', serverUrl: 'rtmp://h/app', streamName: 'k2' },
    ];
    await expectError(bad({ outputs: { rtmp: twins } }), 400, 40001, 'body.outputs.rtmp[1].id');
    await expectError(bad({ outputs: hls, maxDuration: 30 }), 400, 40001, /maxDuration/);
    await expectError(bad({ outputs: hls, hasAudio: false, hasVideo: false }), 400, 40001);
    await expectError(bad({ outputs: hls, resolution: '800x600' }), 400, 40001, /resolution/);

    // One broadcast per session without tags; distinct tags run side by side.
    expect((await start({ sessionId, outputs: hls })).status).toBe(200);
    await expectError(bad({ outputs: hls }), 409, 40931, /multiBroadcastTag/);
    expect((await start({ sessionId, outputs: hls, multiBroadcastTag: 'second' })).status).toBe(200);
    await expectError(bad({ outputs: hls, multiBroadcastTag: 'second' }), 409, 40932);
  });

  it('changes the layout (PUT and POST) and refuses custom layouts', async () => {
    const sessionId = await liveSession();
    const id = (await start({ sessionId, outputs: { hls: {} } })).body.id as string;
    const layout = fx.projectPath(`/broadcast/${id}/layout`);
    expect((await fx.call('PUT', layout, { type: 'verticalPresentation' })).status).toBe(200);
    expect((await fx.call('POST', layout, { type: 'bestFit', screenshareType: 'pip' })).status).toBe(200);
    await expectError(fx.call('PUT', layout, { type: 'custom', stylesheet: 'stream {}' }), 400, 40022);
    await expectError(fx.call('PUT', layout, { type: 'pip', screenshareType: 'bestFit' }), 400, 40001);
    await expectError(
      fx.call('PUT', fx.projectPath('/broadcast/00000000-0000-4000-8000-000000000000/layout'), {
        type: 'pip',
      }),
      404,
      40431,
    );
  });

  it('chooses the streams of a manual broadcast and refuses it on an auto one', async () => {
    const sessionId = await liveSession();
    const source = fx.mediaSources.sources.get(sessionId);
    source?.addStream('cam', null);
    // Published but sending nothing: no composer process is needed for what is checked here.
    source?.updateStream('cam', { audioActive: false, videoActive: false });
    const auto = (await start({ sessionId, outputs: { hls: {} } })).body.id as string;
    await expectError(
      fx.call('PATCH', fx.projectPath(`/broadcast/${auto}/streams`), { addStream: 'cam' }),
      405,
      40531,
    );
    const manual = (
      await start({ sessionId, outputs: { hls: {} }, streamMode: 'manual', multiBroadcastTag: 'm' })
    ).body;
    expect(manual.streams).toEqual([]);
    const streams = fx.projectPath(`/broadcast/${manual.id as string}/streams`);
    await expectError(fx.call('PATCH', streams, { addStream: 'ghost' }), 404, 40423);
    await expectError(fx.call('PATCH', streams, { removeStream: 'ghost' }), 404, 40423);
    await expectError(
      fx.call('PATCH', streams, { addStream: 'cam', hasAudio: false, hasVideo: false }),
      400,
      40001,
    );
    await expectError(fx.call('PATCH', streams, { addStream: 'cam', removeStream: 'cam' }), 400, 40001);
    expect((await fx.call('PATCH', streams, { addStream: 'cam', hasVideo: false })).status).toBe(204);
    const got = await fx.call('GET', fx.projectPath(`/broadcast/${manual.id as string}`));
    expect(await got.json()).toMatchObject({
      streams: [{ streamId: 'cam', hasAudio: true, hasVideo: false }],
    });
    expect((await fx.call('PATCH', streams, { removeStream: 'cam', broadcastId: manual.id })).status).toBe(
      204,
    );
    expect(
      await (await fx.call('GET', fx.projectPath(`/broadcast/${manual.id as string}`))).json(),
    ).toMatchObject({
      streams: [],
    });
    await fx.call('POST', fx.projectPath(`/broadcast/${manual.id as string}/stop`));
    await expectError(fx.call('PATCH', streams, { addStream: 'cam' }), 409, 40933);
  });

  it('serves HLS files without credentials and never outside the broadcast directory', async () => {
    const sessionId = await liveSession();
    const id = (await start({ sessionId, outputs: { hls: {} } })).body.id as string;
    const get = (path: string) => fetch(`${fx.baseUrl}${path}`);
    // The playlist does not exist until the first segment is written (nothing is published here).
    const early = await get(`/hls/${id}/index.m3u8`);
    expect(early.status).toBe(404);
    expect(early.headers.get('access-control-allow-origin')).toBe('*');
    expect(await early.json()).toMatchObject({ code: 40432 });
    for (const path of [
      `/hls/${id}/..%2Fbroadcast.json`,
      `/hls/${id}/..%2F..%2F..%2Fetc%2Fpasswd`,
      `/hls/${id}/%2Fetc%2Fpasswd`,
      `/hls/${id}/broadcast.json`,
      `/hls/${id}/segment-000.sdp`,
      `/hls/..%2F${id}/index.m3u8`,
    ]) {
      const response = await get(path);
      expect([400, 404], path).toContain(response.status);
      expect(((await response.json()) as { code: number }).code, path).toBe(
        response.status === 400 ? 40001 : 40402,
      );
    }
    expect((await get(`/hls/${id}/../../etc/passwd`)).status).toBe(404);
    const unknown = await get('/hls/00000000-0000-4000-8000-000000000000/index.m3u8');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 40431 });
  });
});

describe('automatic stops', () => {
  let short: BroadcastFixture;
  beforeAll(async () => {
    short = await startBroadcastFixture({ maxDurationMs: (seconds) => seconds * 10, idleStopMs: 400 });
  });
  afterAll(() => short.close());

  const startOn = async (sessionId: string, body: Record<string, unknown> = {}) => {
    const response = await short.call('POST', short.projectPath('/broadcast'), {
      sessionId,
      outputs: { hls: {} },
      ...body,
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  };
  const status = async (id: string) =>
    ((await (await short.call('GET', short.projectPath(`/broadcast/${id}`))).json()) as { status: string })
      .status;

  it('stops at maxDuration', async () => {
    const sessionId = await short.createSession();
    short.mediaSources.open(sessionId);
    const id = await startOn(sessionId, { maxDuration: 60 }); // 600 ms here
    await waitFor(async () => (await status(id)) === 'stopped', 5000, 'the maxDuration stop');
    await waitFor(
      () => short.webhooks.some((w) => w.payload.id === id && w.payload.status === 'stopped'),
      5000,
    );
  });

  it('stops once nobody has been connected for the idle time, not before', async () => {
    const sessionId = await short.createSession();
    const source = short.mediaSources.open(sessionId);
    const id = await startOn(sessionId);
    source.setConnectionCount(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    source.setConnectionCount(1); // back in time: the timer is cancelled
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await status(id)).toBe('started');
    source.setConnectionCount(0);
    await waitFor(async () => (await status(id)) === 'stopped', 5000, 'the idle stop');
  });

  it('survives the live session closing and reopening within the idle time', async () => {
    const sessionId = await short.createSession();
    short.mediaSources.open(sessionId);
    const id = await startOn(sessionId);
    short.mediaSources.close(sessionId);
    await new Promise((resolve) => setTimeout(resolve, 150));
    short.mediaSources.open(sessionId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await status(id)).toBe('started');
    short.mediaSources.close(sessionId);
    await waitFor(
      async () => (await status(id)) === 'stopped',
      5000,
      'the idle stop after the session ended',
    );
  });
});

describe('@vonage/video', () => {
  it('starts, finds and stops a broadcast', async () => {
    const sessionId = await liveSession();
    const video = new Video(
      { applicationId: fx.harness.project.applicationId, privateKey: fx.harness.credentials.privateKeyPem },
      { videoHost: fx.baseUrl },
    );
    const started = await video.startBroadcast(sessionId, {
      outputs: { hls: { lowLatency: true }, rtmp: [] },
      layout: LayoutType.BEST_FIT,
      multiBroadcastTag: 'sdk',
    });
    expect(started).toMatchObject({ status: 'started', settings: { hls: { lowLatency: true, dvr: false } } });
    const found = await video.searchBroadcasts({ sessionId });
    expect(found.items.map((b) => b.id)).toContain(started.id);
    expect(await video.getBroadcast(started.id)).toMatchObject({ id: started.id, status: 'started' });
    expect(await video.stopBroadcast(started.id)).toMatchObject({ id: started.id, status: 'stopped' });
    await expect(video.stopBroadcast(started.id)).rejects.toThrow();
  });
});
