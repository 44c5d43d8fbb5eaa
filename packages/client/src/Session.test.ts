import { RumorHeader, RumorType } from '@parley/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, InvalidParameterError, ParleyClientError, RequestTimeoutError } from './errors.js';
import type { SignalEvent } from './events.js';
import { initPublisher, initSession } from './index.js';
import type { LogSink } from './logger.js';
import type { Session } from './Session.js';
import { FakeMediaHandler } from './testing/fake-media.js';
import { FakeServer, type FakeServerOptions } from './testing/fake-server.js';

const silent: LogSink = { error() {}, warn() {}, info() {}, debug() {} };

function setup(
  options: FakeServerOptions = {},
  sessionOptions: { requestTimeoutMs?: number; publishTimeoutMs?: number } = {},
) {
  const server = new FakeServer(options);
  const media = new FakeMediaHandler();
  const session = initSession(server.projectId, server.sessionId, {
    url: 'http://parley.test/api',
    fetch: server.fetch,
    transportFactory: server.transportFactory,
    mediaHandler: media,
    logger: silent,
    ...sessionOptions,
  });
  return { server, media, session };
}

const sessions: Session[] = [];
async function connected(options: FakeServerOptions = {}, sessionOptions = {}) {
  const context = setup(options, sessionOptions);
  sessions.push(context.session);
  await context.session.connect(context.server.token);
  return context;
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.disconnect();
  vi.useRealTimers();
});

/** Lets queued microtasks and zero-delay work run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('initSession', () => {
  it('names the bad argument', () => {
    expect(() => initSession('', 's', { url: 'http://x' })).toThrow(/projectId/);
    expect(() => initSession('p', 'a/b', { url: 'http://x' })).toThrow(/sessionId/);
    expect(() => initSession('p', 's', { url: 'ftp://x' })).toThrow(/options.url/);
    expect(() => initSession('p', 's', { url: 'http://x', requestTimeoutMs: -1 })).toThrow(
      /options.requestTimeoutMs/,
    );
    try {
      initSession('p', 's', { url: 'http://x', logLevel: 'loud' as never });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidParameterError);
      expect(error).toMatchObject({ code: 1011, name: 'OT_INVALID_PARAMETER', field: 'options.logLevel' });
    }
  });
});

describe('connect', () => {
  it('fetches session info, says CONNECT and SUBSCRIBE, creates the connection with the token, and emits OpenTok.js events', async () => {
    const { server, session } = setup();
    const events: string[] = [];
    session.on('sessionConnected', (event) => events.push(`${event.type}:${event.connections.length}`));
    session.on('connectionCreated', (event) =>
      events.push(
        `connectionCreated:${event.connection.connectionId === session.connection?.connectionId ? 'self' : 'other'}`,
      ),
    );
    await session.connect(server.token);
    sessions.push(session);

    const [request] = server.sessionInfoRequests;
    expect(request?.url).toBe(`http://parley.test/api/session/${server.sessionId}?extended=true`);
    expect(request?.headers).toMatchObject({ 'X-OPENTOK-AUTH': server.token, 'X-TB-VERSION': '1' });
    const [connect, subscribe, create] = server.received.map((entry) => entry.frame);
    expect(connect?.type).toBe(RumorType.Connect);
    expect(connect?.headers[RumorHeader.NotifyDisconnectAddress]).toBe('/symphony.parley');
    expect(subscribe).toMatchObject({
      type: RumorType.Subscribe,
      to: [`/v2/partner/${server.projectId}/session/${server.sessionId}`],
    });
    expect(create?.headers[RumorHeader.TokenAuth]).toBe(server.token);
    expect(server.messages('create')[0]?.uri).toBe(
      server.uri(['connection', session.connection?.connectionId as string]),
    );
    expect(server.clients[0]?.transport.url).toMatch(/\?socketId=[0-9a-f-]{36}&attempt=/);

    await settle();
    expect(events).toEqual(['sessionConnected:1', 'connectionCreated:self']);
    expect(session.state).toBe('connected');
    expect(session.capabilities).toEqual({
      publish: 1,
      subscribe: 1,
      forceUnpublish: 1,
      forceDisconnect: 1,
      forceMute: 1,
    });
  });

  it('reports existing connections and streams, and later joins', async () => {
    const { server, session } = setup();
    const peer = server.addPeer('alice');
    server.addStream(peer, { name: 'cam' });
    const created: string[] = [];
    session.on('streamCreated', (event) => created.push(event.stream.name));
    session.on('connectionCreated', (event) => created.push(event.connection.data));
    await session.connect(server.token);
    sessions.push(session);
    expect(created).toEqual([expect.stringMatching(/^token=/), 'alice', 'cam']);
    const later = server.addPeer('bob');
    await settle();
    expect(session.connections.get(later)?.data).toBe('bob');
    expect(created.at(-1)).toBe('bob');
  });

  it.each([
    [{ error: { code: '403', errorMessage: { message: 'Invalid token' } } }, 1004, 'OT_AUTHENTICATION_ERROR'],
    [
      { error: { code: '404', errorMessage: { message: 'Session not found' } } },
      1005,
      'OT_INVALID_SESSION_ID',
    ],
    [
      { error: { code: '409', errorMessage: { message: 'Project is suspended' } } },
      1026,
      'OT_TERMS_OF_SERVICE_FAILURE',
    ],
  ])('maps a session-info error to the OpenTok.js code', async (element, code, name) => {
    const { server, session } = setup();
    server.sessionInfoOverride = { status: 200, body: [element] };
    await expect(session.connect(server.token)).rejects.toMatchObject({ code, name });
    expect(session.state).toBe('disconnected');
  });

  it('rejects a session info for another project with 1004', async () => {
    const { server, session } = setup();
    server.sessionInfoOverride = {
      status: 200,
      body: [
        {
          session_id: server.sessionId,
          partner_id: 'other',
          messaging_url: 'ws://x',
          symphony_address: '/s',
        },
      ],
    };
    await expect(session.connect(server.token)).rejects.toMatchObject({
      code: 1004,
      message: /project ID does not match/,
    });
  });

  it('retries a failing session-info endpoint and then fails with 1006', async () => {
    vi.useFakeTimers();
    const { server, session } = setup();
    server.sessionInfoOverride = { status: 503, body: {} };
    const result = session.connect(server.token).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await result).toMatchObject({ code: ErrorCode.ConnectFailed, name: 'OT_CONNECT_FAILED' });
    expect(server.sessionInfoRequests).toHaveLength(3);
  });

  it('reports a refused connection create, and a connection limit as 1027', async () => {
    const { server, session } = setup();
    server.refuse.set('create', [403, 'connectionLimitExceeded']);
    await expect(session.connect(server.token)).rejects.toMatchObject({
      code: 1027,
      name: 'OT_CONNECTION_LIMIT_EXCEEDED',
      status: 403,
    });
  });

  it('times out a connection create that is never answered', async () => {
    const { server, session } = setup({}, { requestTimeoutMs: 50 });
    server.hold.add('create');
    const error = await session.connect(server.token).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: ErrorCode.ConnectionTimeout, name: 'OT_TIMEOUT', timeoutMs: 50 });
  });

  it('rejects a missing token naming it', async () => {
    const { session } = setup();
    await expect(session.connect('')).rejects.toMatchObject({ code: 1011, field: 'token' });
  });
});

describe('disconnect', () => {
  it('says DISCONNECT, closes with 1000 and emits sessionDisconnected(clientDisconnected)', async () => {
    const { server, session } = await connected();
    const reasons: string[] = [];
    session.on('sessionDisconnected', (event) => reasons.push(event.reason));
    session.disconnect();
    await settle();
    expect(reasons).toEqual(['clientDisconnected']);
    expect(server.received.some((entry) => entry.frame.type === RumorType.Disconnect)).toBe(true);
    expect(session.state).toBe('disconnected');
    expect(session.connection).toBeNull();
  });

  it('turns a force disconnect into sessionDisconnected(forceDisconnected)', async () => {
    const { server, session } = await connected();
    const reasons: string[] = [];
    session.on('sessionDisconnected', (event) => reasons.push(event.reason));
    server.push(session.connection?.connectionId as string, {
      method: 'deleted',
      uri: server.uri(['connection', session.connection?.connectionId as string]),
      content: {},
      reason: 'forceDisconnected',
    });
    await settle();
    expect(reasons).toEqual(['forceDisconnected']);
  });
});

describe('publish', () => {
  it('creates the stream, answers generateoffer with an offer and trickled candidates, and resolves when the stream is live', async () => {
    const { server, media, session } = await connected();
    const publisher = await session.publish({ name: 'Alice', resolution: '1280x720' });
    expect(media.captures[0]).toMatchObject({
      videoSource: 'camera',
      audio: true,
      video: { width: 1280, height: 720 },
    });
    const create = server.messages('create').find((message) => message.uri.includes('/stream/'));
    expect(create?.content).toMatchObject({
      id: publisher.streamId,
      name: 'Alice',
      channel: [
        expect.objectContaining({ id: 'video1', active: true, source: 'camera', fitMode: 'cover' }),
        { id: 'audio1', type: 'audio', active: true },
        { id: 'caption1', type: 'data', active: false },
      ],
      e2ee: false,
      sourceStreamId: 'MANTIS',
    });
    expect(server.messages('candidate')[0]?.content).toMatchObject({ sourceStreamId: 'MANTIS', sdpMid: '0' });
    expect(server.messages('offer')[0]?.content).toMatchObject({
      type: 'offer',
      sdp: 'fake-offer',
      sourceStreamId: 'MANTIS',
    });
    await settle();
    expect(media.peers[0]?.answersApplied).toEqual(['fake-sfu-answer']);
    expect(publisher.stream?.streamId).toBe(publisher.streamId);
    expect(publisher.stream?.hasVideo).toBe(true);
    expect(session.getPublisherForStream(publisher.streamId)).toBe(publisher);
  });

  it('publishes screen sharing with contain fit and no microphone, and ends it when the user stops sharing', async () => {
    const { server, media, session } = await connected();
    const publisher = await session.publish({ videoSource: 'screen' });
    expect(media.captures[0]).toMatchObject({ videoSource: 'screen', audio: false });
    const create = server.messages('create').find((message) => message.uri.includes('/stream/'));
    expect(create?.content.channel).toEqual([
      expect.objectContaining({ id: 'video1', source: 'screen', fitMode: 'contain' }),
      { id: 'caption1', type: 'data', active: false },
    ]);
    const stopped = vi.fn();
    publisher.on('mediaStopped', stopped);
    const track = publisher.mediaStream?.getVideoTracks()[0] as unknown as { end(): void };
    track.end();
    await settle();
    expect(stopped).toHaveBeenCalledOnce();
    expect(publisher.isDestroyed).toBe(true);
    expect(server.messages('delete').some((message) => message.uri.endsWith(publisher.streamId))).toBe(true);
  });

  it('toggles audio and video with channel updates', async () => {
    const { server, session } = await connected();
    const publisher = await session.publish();
    publisher.publishVideo(false);
    publisher.publishAudio(false);
    await settle();
    const updates = server
      .messages('update')
      .map((message) => [message.uri.split('/').at(-1), message.content]);
    expect(updates).toEqual([
      ['video1', { active: false }],
      ['audio1', { active: false }],
    ]);
    expect(publisher.mediaStream?.getVideoTracks()[0]?.enabled).toBe(false);
    expect(publisher.isPublishingAudio).toBe(false);
  });

  it('needs a connection (1010) and the publish permission (1500)', async () => {
    const { session } = setup();
    await expect(session.publish()).rejects.toMatchObject({ code: 1010, name: 'OT_NOT_CONNECTED' });
    const { session: subscriberOnly } = await connected({ permissions: ['subscribe'] });
    await expect(subscriberOnly.publish()).rejects.toMatchObject({
      code: 1500,
      name: 'OT_PERMISSION_DENIED',
    });
    expect(subscriberOnly.capabilities.publish).toBe(0);
  });

  it('reports denied media access as accessDenied and OT_USER_MEDIA_ACCESS_DENIED', async () => {
    const { media, session } = await connected();
    media.captureFailure = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    const publisher = initPublisher({}, { mediaHandler: media, logger: silent });
    const denied = vi.fn();
    publisher.on('accessDenied', denied);
    await expect(session.publish(publisher)).rejects.toMatchObject({
      code: 1500,
      name: 'OT_USER_MEDIA_ACCESS_DENIED',
    });
    expect(denied).toHaveBeenCalledWith(expect.objectContaining({ type: 'accessDenied' }));
  });

  it('fails with OT_STREAM_CREATE_FAILED when the server refuses, and OT_TIMEOUT when the stream never goes live', async () => {
    const { server, session } = await connected({}, { publishTimeoutMs: 50 });
    server.refuse.set('create', [403, 'Not allowed to publish']);
    await expect(session.publish()).rejects.toMatchObject({
      code: 1500,
      name: 'OT_STREAM_CREATE_FAILED',
      status: 403,
    });
    server.refuse.clear();
    server.announceStreams = false;
    await expect(session.publish()).rejects.toMatchObject({ code: 1500, name: 'OT_TIMEOUT' });
  });

  it('rejects bad options naming them', async () => {
    const { session } = await connected();
    await expect(session.publish({ resolution: 'big' as never })).rejects.toMatchObject({
      field: 'options.resolution',
    });
    await expect(session.publish({ videoSource: 'window' as never })).rejects.toMatchObject({
      field: 'options.videoSource',
    });
  });
});

describe('subscribe', () => {
  it('creates the subscriber, answers the offer and resolves when media connects', async () => {
    const { server, session } = await connected();
    const peer = server.addPeer();
    server.addStream(peer);
    await settle();
    const [stream] = [...session.streams.values()];
    if (!stream) throw new Error('no stream');
    const subscriber = await session.subscribe(stream, {
      subscribeToAudio: false,
      preferredResolution: { width: 320, height: 240 },
    });
    const create = server.messages('create').find((message) => message.uri.includes('/subscriber/'));
    expect(create?.uri).toBe(server.uri(['stream', stream.streamId], ['subscriber', subscriber.id]));
    expect(create?.content).toMatchObject({
      id: subscriber.id,
      connection: session.connection?.connectionId,
      keyManagementMethod: 'DTLS_SRTP',
      channel: [
        { id: 'audio1', type: 'audio', active: false },
        expect.objectContaining({ id: 'video1', active: true, preferredWidth: 320, preferredHeight: 240 }),
        { id: 'caption1', type: 'data', active: false },
      ],
    });
    expect(server.messages('answer')[0]?.content).toMatchObject({
      type: 'answer',
      sdp: 'fake-answer',
      sourceStreamId: 'MANTIS',
    });
    expect(subscriber.mediaStream?.getAudioTracks()[0]?.enabled).toBe(false);

    subscriber.subscribeToVideo(false);
    subscriber.setPreferredFrameRate(15);
    await settle();
    const updates = server.messages('update').map((message) => message.content);
    expect(updates).toEqual([{ active: false }, { preferredFrameRate: 15 }]);
  });

  it('emits videoDisabled when the publisher turns video off, and destroys the subscriber when the stream ends', async () => {
    const { server, session } = await connected();
    const peer = server.addPeer();
    const streamId = server.addStream(peer);
    await settle();
    const stream = session.streams.get(streamId);
    if (!stream) throw new Error('no stream');
    const subscriber = await session.subscribe(stream);
    const events: string[] = [];
    subscriber.on('videoDisabled', (event) => events.push(`${event.type}:${event.reason}`));
    subscriber.on('destroyed', (event) => events.push(`destroyed:${event.reason}`));
    session.on('streamPropertyChanged', (event) =>
      events.push(`${event.changedProperty}:${String(event.newValue)}`),
    );
    server.broadcast({
      method: 'updated',
      uri: server.uri(['stream', streamId], ['channel', 'video1']),
      content: { active: false },
    });
    server.broadcast({
      method: 'deleted',
      uri: server.uri(['stream', streamId]),
      content: {},
      reason: 'clientDisconnected',
    });
    await settle();
    expect(events).toEqual(['hasVideo:false', 'videoDisabled:publishVideo', 'destroyed:clientDisconnected']);
    expect(session.streams.has(streamId)).toBe(false);
  });

  it('reports a vanished stream as OT_UNABLE_TO_SUBSCRIBE with the server status', async () => {
    const { server, session } = await connected();
    const peer = server.addPeer();
    const streamId = server.addStream(peer);
    await settle();
    const stream = session.streams.get(streamId);
    if (!stream) throw new Error('no stream');
    server.streams.delete(streamId);
    await expect(session.subscribe(stream)).rejects.toMatchObject({ code: 1501, status: 404 });
  });
});

describe('signals', () => {
  it('sends to everyone or to one connection and receives signal and signal:<type> with the sender', async () => {
    const { server, session } = await connected();
    const received: SignalEvent[] = [];
    session.on('signal', (event) => received.push(event));
    const typed = vi.fn();
    session.on('signal:chat', typed);
    await session.signal({ type: 'chat', data: 'hello' });
    const peer = server.addPeer('bob');
    await settle();
    await session.signal({ data: 'psst', to: session.connections.get(peer) });
    server.push(
      session.connection?.connectionId as string,
      { method: 'signal', uri: server.uri(['signal', 'x']), content: { data: 'from REST' } },
      '',
    );
    await settle();
    expect(server.messages('signal').map((message) => message.uri)).toEqual([
      expect.stringMatching(new RegExp(`/session/${server.sessionId}/signal/[0-9a-f-]{36}$`)),
      expect.stringMatching(new RegExp(`/connection/${peer}/signal/`)),
    ]);
    expect(received.map((event) => [event.type, event.data, event.from?.connectionId ?? null])).toEqual([
      ['signal:chat', 'hello', session.connection?.connectionId],
      ['signal', 'from REST', null],
    ]);
    expect(typed).toHaveBeenCalledOnce();
  });

  it('validates signals like the server, with 1510 and the status', async () => {
    const { session } = await connected();
    await expect(session.signal({ type: 'a b' })).rejects.toMatchObject({ code: 1510, status: 400 });
    await expect(session.signal({ data: 'x'.repeat(8193) })).rejects.toMatchObject({
      code: 1510,
      status: 413,
      message: /data/,
    });
    await expect(session.signal({ to: 42 as never })).rejects.toMatchObject({
      status: 400,
      message: /to must be/,
    });
  });

  it('passes the server refusal through', async () => {
    const { server, session } = await connected();
    server.refuse.set('signal', [404, 'Connection not found']);
    const error = await session.signal({ to: 'nobody' }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ParleyClientError);
    expect(error).toMatchObject({
      code: 1510,
      name: 'OT_UNABLE_TO_SIGNAL',
      status: 404,
      message: /Connection not found/,
    });
  });
});

describe('moderation', () => {
  it('sends forceDisconnect, forceUnpublish, forceMuteStream, forceMuteAll and disableForceMute', async () => {
    const { server, session } = await connected();
    const peer = server.addPeer();
    const streamId = server.addStream(peer);
    await settle();
    const stream = session.streams.get(streamId);
    if (!stream) throw new Error('no stream');
    await session.forceMuteStream(stream);
    await session.forceMuteAll([stream]);
    await session.disableForceMute();
    await session.forceUnpublish(stream);
    await session.forceDisconnect(peer);
    const sent = server
      .messages()
      .slice(1)
      .map((message) => [message.method, message.uri.replace(server.uri(), ''), message.content]);
    expect(sent).toEqual([
      ['update', `/stream/${streamId}`, { reason: 'mute', channels: ['audio'], active: true, locked: false }],
      [
        'update',
        '',
        { reason: 'mute', channels: ['audio'], active: true, locked: false, exclusion: [streamId] },
      ],
      ['update', '', { reason: 'mute', channels: ['audio'], active: false, locked: false }],
      ['delete', `/stream/${streamId}`, {}],
      ['delete', `/connection/${peer}`, {}],
    ]);
  });

  it('checks permissions locally with the OpenTok.js codes', async () => {
    const { session } = await connected({ permissions: ['publish', 'subscribe'] });
    await expect(session.forceDisconnect('x')).rejects.toMatchObject({ code: 1520 });
    await expect(session.forceUnpublish('x')).rejects.toMatchObject({ code: 1530 });
    await expect(session.forceMuteAll()).rejects.toMatchObject({ code: 1540 });
  });

  it('mutes its publisher on muteForced, and reports forceUnpublish to the publisher', async () => {
    const { server, session } = await connected();
    const publisher = await session.publish();
    const events: string[] = [];
    publisher.on('muteForced', () => events.push('muteForced'));
    publisher.on('streamDestroyed', (event) => events.push(`streamDestroyed:${event.reason}`));
    session.on('muteForced', (event) => events.push(`session:muteForced:${event.active}`));
    const self = session.connection?.connectionId as string;
    server.push(self, {
      method: 'update',
      uri: server.uri(['stream', publisher.streamId]),
      content: { reason: 'mute', active: true },
    });
    server.push(self, { method: 'update', uri: server.uri(), content: { reason: 'mute', active: true } });
    await settle();
    expect(publisher.isPublishingAudio).toBe(false);
    server.push(self, {
      method: 'deleted',
      uri: server.uri(['stream', publisher.streamId]),
      content: {},
      reason: 'forceUnpublished',
    });
    await settle();
    expect(events).toEqual([
      'muteForced',
      'session:muteForced:true',
      'muteForced',
      'streamDestroyed:forceUnpublished',
    ]);
    expect(publisher.isDestroyed).toBe(true);
  });
});

describe('archives', () => {
  it('emits archiveStarted and archiveStopped', async () => {
    const { server, session } = await connected();
    const events: string[] = [];
    session.on('archiveStarted', (event) => events.push(`started:${event.id}:${event.name}`));
    session.on('archiveStopped', (event) => events.push(`stopped:${event.id}`));
    const self = session.connection?.connectionId as string;
    server.push(self, {
      method: 'created',
      uri: server.uri(['archive', 'a1']),
      content: { id: 'a1', name: 'rec', status: 'started' },
    });
    server.push(self, {
      method: 'updated',
      uri: server.uri(['archive', 'a1']),
      content: { id: 'a1', status: 'stopped' },
    });
    await settle();
    expect(events).toEqual(['started:a1:rec', 'stopped:a1']);
  });
});

describe('listener errors', () => {
  it('surfaces a throwing listener as listenerError and keeps dispatching', async () => {
    const { server, session } = await connected();
    const failures: unknown[] = [];
    session.on('listenerError', (error) => failures.push(error));
    session.on('signal', () => {
      throw new Error('app bug');
    });
    const after = vi.fn();
    session.on('signal', after);
    await session.signal({ data: 'x' });
    await settle();
    expect(failures).toEqual([expect.objectContaining({ message: 'app bug' })]);
    expect(after).toHaveBeenCalledOnce();
    expect(server.clients).toHaveLength(1);
  });
});
