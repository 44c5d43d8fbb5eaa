import { TypedEmitter } from '@parley/events';
import { describe, expect, it } from 'vitest';
import type {
  ConsumerEvents,
  IceCandidate,
  Producer,
  ProducerEvents,
  PublisherTransport,
  PublisherTransportEvents,
  Router,
  RtpCodec,
  SfuEngine,
  SubscriberTransport,
  SubscriberTransportEvents,
  TransportConnectionState,
  VideoLayerPreferences,
} from '../../sfu/types.js';
import { silentLogger } from '../logger.js';
import { LiveSessionRegistry } from '../session/registry.js';
import type { ClientEndpoint, LiveConnection, LiveStream, OutboundMessage } from '../session/types.js';
import { RoutedMedia } from './routed.js';

/** A fake transport recording what the bridge asks of it. */
class FakeTransport<E extends PublisherTransportEvents | SubscriberTransportEvents> extends TypedEmitter<E> {
  readonly id = `t-${Math.random()}`;
  readonly calls: string[] = [];
  readonly candidates: (IceCandidate | null)[] = [];
  connectionState: TransportConnectionState = 'new';
  closed = false;
  producers: readonly Producer[] = [];
  consumers: { kind: string; paused: boolean; pause(): void; resume(): void }[] = [];
  constructor(
    readonly kind: 'publisher' | 'subscriber',
    readonly streamId: string,
    readonly subscriberId = '',
  ) {
    super();
  }
  async addRemoteCandidate(candidate: IceCandidate | null): Promise<void> {
    this.candidates.push(candidate);
  }
  async handleOffer(sdp: string): Promise<string> {
    this.calls.push(`offer:${sdp}`);
    return `answer-to:${sdp}`;
  }
  async createOffer(options?: { iceRestart?: boolean }): Promise<string> {
    this.calls.push(`createOffer:${options?.iceRestart ?? false}`);
    return 'server-offer';
  }
  async handleAnswer(sdp: string): Promise<void> {
    this.calls.push(`answer:${sdp}`);
  }
  close(): void {
    this.closed = true;
  }
  setState(state: TransportConnectionState): void {
    this.connectionState = state;
    (this as unknown as TypedEmitter<PublisherTransportEvents>).emit('connectionstatechange', state);
  }
}

/** A fake video consumer recording the preferences it is given; emits engine events on demand. */
class FakeVideoConsumer extends TypedEmitter<ConsumerEvents> {
  readonly kind = 'video';
  readonly closed = false;
  paused = false;
  readonly preferences: VideoLayerPreferences[] = [];
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  setPreferredLayers(preferences: VideoLayerPreferences): void {
    this.preferences.push(preferences);
  }
}

function fakeEngine(options: { simulcast?: boolean; consumers?: () => FakeVideoConsumer[] } = {}) {
  const publishers: FakeTransport<PublisherTransportEvents>[] = [];
  const subscribers: FakeTransport<SubscriberTransportEvents>[] = [];
  let routerClosed = false;
  const router = {
    id: 'r1',
    sessionId: 's1',
    get closed() {
      return routerClosed;
    },
    async createPublisherTransport({ streamId }: { streamId: string }) {
      const t = new FakeTransport<PublisherTransportEvents>('publisher', streamId);
      publishers.push(t);
      return t as unknown as PublisherTransport;
    },
    async createSubscriberTransport({ streamId, subscriberId }: { streamId: string; subscriberId: string }) {
      const t = new FakeTransport<SubscriberTransportEvents>('subscriber', streamId, subscriberId);
      t.consumers = options.consumers?.() ?? [];
      subscribers.push(t);
      return t as unknown as SubscriberTransport;
    },
    // RoutedMedia listens for its worker's crash (routed-worker-crash.test.ts covers it).
    once() {
      return router;
    },
    close() {
      routerClosed = true;
    },
  } as unknown as Router;
  const engine = {
    name: 'fake',
    iceServers: [],
    simulcast: options.simulcast ?? false,
    closed: false,
    getRouter: () => undefined,
    createRouter: async () => router,
    close() {},
  } as unknown as SfuEngine;
  return { engine, publishers, subscribers, routerClosed: () => routerClosed };
}

/** A fake producer recording pause and resume. */
class FakeProducer extends TypedEmitter<ProducerEvents> {
  readonly id: string;
  readonly codec: RtpCodec;
  readonly stats = { packetsIn: 0, bytesIn: 0, keyFrameRequests: 0 };
  readonly history: string[] = [];
  readonly closed = false;
  paused = false;
  constructor(
    readonly kind: 'audio' | 'video',
    readonly streamId: string,
  ) {
    super();
    this.id = `${streamId}-${kind}`;
    this.codec = {
      mimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
    };
  }
  pause(): void {
    this.paused = true;
    this.history.push('pause');
  }
  resume(): void {
    this.paused = false;
    this.history.push('resume');
  }
  requestKeyFrame(): void {}
  close(): void {}
}

function fakeProducer(kind: 'audio' | 'video', streamId: string): FakeProducer & Producer {
  return new FakeProducer(kind, streamId) as FakeProducer & Producer;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(options: Parameters<typeof fakeEngine>[0] = {}) {
  const fake = fakeEngine(options);
  const registry = new LiveSessionRegistry({
    createMedia: (s) => new RoutedMedia(s, fake.engine, silentLogger),
  });
  const session = registry.open({
    sessionId: 's1',
    project: { applicationId: 'app', apiKey: '123' },
    mediaMode: 'routed',
    e2ee: false,
  });
  const inbox = new Map<string, OutboundMessage[]>();
  const connect = (id: string): LiveConnection => {
    const messages: OutboundMessage[] = [];
    inbox.set(id, messages);
    const endpoint: ClientEndpoint = { send: (m) => messages.push(m), close() {} };
    const connection: LiveConnection = {
      id,
      sessionId: 's1',
      role: 'publisher',
      permissions: ['publish', 'subscribe'],
      data: '',
      initialLayoutClassList: [],
      creationTime: 0,
      connectionEventsSuppressed: false,
      userAgent: '',
      state: 'connecting',
      endpoint,
    };
    session.addConnection(connection);
    return connection;
  };
  return { fake, session, inbox, connect };
}

function newStream(id: string, connectionId: string): LiveStream {
  return {
    id,
    connectionId,
    name: '',
    creationTime: 0,
    channels: new Map(),
    customProperties: {},
    publisherAudioFallbackEnabled: false,
    subscriberAudioFallbackEnabled: false,
    sourceStreamId: 'MANTIS',
    layoutClassList: [],
    announced: false,
    subscribers: new Map(),
  };
}

describe('RoutedMedia', () => {
  it('asks the publisher for an offer, answers it and announces the stream once media connects', async () => {
    const { fake, session, inbox, connect } = setup();
    const alice = connect('alice');
    const bob = connect('bob');
    const stream = newStream('st', alice.id);
    session.addStream(stream);
    session.media.streamCreated(stream, alice);
    await tick();
    const ask = inbox.get('alice')?.find((m) => m.method === 'generateoffer');
    expect(ask).toMatchObject({
      uri: '/v2/partner/123/session/s1/stream/st',
      content: { sourceStreamId: 'MANTIS', simulcastEnabled: false },
    });

    // Candidates may come first; the engine buffers them until the SDP.
    await session.media.jsep({
      method: 'candidate',
      from: alice,
      stream,
      subscriber: null,
      content: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    });
    await session.media.jsep({
      method: 'offer',
      from: alice,
      stream,
      subscriber: null,
      content: { type: 'offer', sdp: 'v=0\r\na=sendrecv\r\n' },
    });
    const transport = fake.publishers[0];
    expect(transport?.candidates[0]).toMatchObject({ sdpMid: '0', sdpMLineIndex: 0 });
    // OpenTok.js offers sendrecv; the engine is told the leg is send-only.
    expect(transport?.calls).toEqual(['offer:v=0\r\na=sendonly\r\n']);
    const answer = inbox.get('alice')?.find((m) => m.method === 'answer');
    expect(answer?.content).toEqual({
      type: 'answer',
      sdp: 'answer-to:v=0\r\na=sendonly\r\n',
      sourceStreamId: 'MANTIS',
    });
    expect(inbox.get('bob')?.some((m) => m.method === 'created' && m.uri.endsWith('/stream/st'))).toBe(false);

    transport?.setState('connected');
    expect(inbox.get('bob')?.some((m) => m.method === 'created' && m.uri.endsWith('/stream/st'))).toBe(true);
    expect(stream.announced).toBe(true);
    expect(bob.state).toBe('connected');
  });

  it('offers to a subscriber, applies its answer, answers its ICE-restart offer and closes its transport', async () => {
    const { fake, session, inbox, connect } = setup();
    const alice = connect('alice');
    const bob = connect('bob');
    const stream = newStream('st', alice.id);
    session.addStream(stream);
    session.media.streamCreated(stream, alice);
    await tick();
    fake.publishers[0]?.setState('connected');
    const subscriber = { id: 'sub', streamId: 'st', connectionId: bob.id, creationTime: 0 };
    session.addSubscriber(stream, subscriber);
    session.media.subscriberCreated(stream, subscriber);
    await tick();
    await tick();
    const offer = inbox.get('bob')?.find((m) => m.method === 'offer');
    expect(offer).toMatchObject({
      uri: '/v2/partner/123/session/s1/stream/st/subscriber/sub',
      content: { type: 'offer', sdp: 'server-offer', sourceStreamId: 'MANTIS' },
    });
    await session.media.jsep({
      method: 'answer',
      from: bob,
      stream,
      subscriber,
      content: { sdp: 'bob-answer' },
    });
    await session.media.jsep({ method: 'offer', from: bob, stream, subscriber, content: { sdp: 'restart' } });
    const transport = fake.subscribers[0];
    expect(transport?.calls).toEqual(['createOffer:false', 'answer:bob-answer', 'offer:restart']);
    expect(inbox.get('bob')?.find((m) => m.method === 'answer')?.content).toMatchObject({
      sdp: 'answer-to:restart',
    });
    // Nobody else negotiates bob's subscription.
    await expect(
      session.media.jsep({ method: 'answer', from: alice, stream, subscriber, content: { sdp: 'x' } }),
    ).rejects.toMatchObject({ status: 403 });

    session.removeSubscriber(stream, 'sub');
    await tick();
    expect(transport?.closed).toBe(true);
    session.removeStream('st', 'clientDisconnected');
    await tick();
    expect(fake.publishers[0]?.closed).toBe(true);
    session.close();
    await tick();
    expect(fake.routerClosed()).toBe(true);
  });

  it('refuses an SDP that is not a string', async () => {
    const { session, connect } = setup();
    const alice = connect('alice');
    const stream = newStream('st', alice.id);
    session.addStream(stream);
    session.media.streamCreated(stream, alice);
    await tick();
    await expect(
      session.media.jsep({ method: 'offer', from: alice, stream, subscriber: null, content: { sdp: 42 } }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('pauses the audio producer on a forced mute and resumes it only when the publisher re-enables audio', async () => {
    const { fake, session, inbox, connect } = setup();
    const alice = connect('alice');
    connect('bob');
    const stream = newStream('st', alice.id);
    stream.channels.set('audio1', { id: 'audio1', type: 'audio', active: true, attributes: {} });
    stream.channels.set('video1', { id: 'video1', type: 'video', active: true, attributes: {} });
    session.addStream(stream);
    session.media.streamCreated(stream, alice);
    await tick();
    const transport = fake.publishers[0];
    const audio = fakeProducer('audio', 'st');
    const video = fakeProducer('video', 'st');
    if (!transport) throw new Error('no publisher transport');
    transport.producers = [audio, video];
    transport.setState('connected');

    expect(session.forceMuteStream('st')).toBe(true);
    await tick();
    expect(audio.paused).toBe(true);
    expect(video.history).toEqual([]);
    expect(inbox.get('alice')?.some((m) => m.method === 'update' && m.content.reason === 'mute')).toBe(true);

    // Other channel updates (video on, the publisher confirming the mute) leave the audio stopped.
    session.updateChannel(stream, 'video1', { active: true });
    session.updateChannel(stream, 'audio1', { active: false });
    await tick();
    expect(audio.paused).toBe(true);

    session.updateChannel(stream, 'audio1', { active: true });
    await tick();
    expect(audio.history).toEqual(['pause', 'resume']);
    // Unmuting again without a new forced mute does not touch the producer.
    session.updateChannel(stream, 'audio1', { active: true });
    await tick();
    expect(audio.history).toEqual(['pause', 'resume']);
  });

  it('mute-all pauses existing audio and the audio of streams that arrive later, except excluded ones', async () => {
    const { fake, session, connect } = setup();
    const alice = connect('alice');
    const first = newStream('first', alice.id);
    const excluded = newStream('excluded', alice.id);
    for (const stream of [first, excluded]) {
      session.addStream(stream);
      session.media.streamCreated(stream, alice);
    }
    await tick();
    const [firstTransport, excludedTransport] = fake.publishers;
    if (!firstTransport || !excludedTransport) throw new Error('no publisher transports');
    const firstAudio = fakeProducer('audio', 'first');
    const excludedAudio = fakeProducer('audio', 'excluded');
    firstTransport.producers = [firstAudio];
    excludedTransport.producers = [excludedAudio];
    firstTransport.setState('connected');
    excludedTransport.setState('connected');

    session.setMuteAll(true, ['excluded']);
    await tick();
    expect(firstAudio.paused).toBe(true);
    expect(excludedAudio.history).toEqual([]);

    // Mute on entry: a stream announced while the session is muted has its audio paused, including a
    // producer negotiated after the mute.
    const late = newStream('late', alice.id);
    session.addStream(late);
    session.media.streamCreated(late, alice);
    await tick();
    const lateTransport = fake.publishers[2];
    if (!lateTransport) throw new Error('no late transport');
    lateTransport.setState('connected');
    await tick();
    const lateAudio = fakeProducer('audio', 'late');
    (lateTransport as unknown as TypedEmitter<PublisherTransportEvents>).emit('producer', lateAudio);
    expect(lateAudio.paused).toBe(true);
  });

  it('asks for simulcast, hands the subscriber’s preferred resolution to its video consumer, and relays congestion hints', async () => {
    const consumer = new FakeVideoConsumer();
    const { session, inbox, connect, fake } = setup({ simulcast: true, consumers: () => [consumer] });
    const alice = connect('alice');
    const bob = connect('bob');
    const stream = newStream('st', alice.id);
    session.addStream(stream);
    session.media.streamCreated(stream, alice);
    await tick();
    expect(inbox.get('alice')?.find((m) => m.method === 'generateoffer')?.content).toEqual({
      simulcastEnabled: true,
      sourceStreamId: 'MANTIS',
    });
    fake.publishers[0]?.setState('connected');

    const subscriber = { id: 'sub', streamId: 'st', connectionId: bob.id, creationTime: 0 };
    session.addSubscriber(stream, subscriber);
    session.media.subscriberCreated(stream, subscriber);
    // Preferences that arrive before the transport exists are applied when it does.
    session.media.subscriberPreferencesChanged?.(stream, subscriber, {
      preferredWidth: 320,
      preferredHeight: 240,
    });
    await tick();
    await tick();
    expect(consumer.preferences.at(-1)).toEqual({ maxWidth: 320, maxHeight: 240 });
    // Updates merge: a frame rate keeps the resolution; 0 clears the resolution.
    session.media.subscriberPreferencesChanged?.(stream, subscriber, { preferredFrameRate: 15 });
    await tick();
    expect(consumer.preferences.at(-1)).toEqual({ maxWidth: 320, maxHeight: 240, maxFrameRate: 15 });
    session.media.subscriberPreferencesChanged?.(stream, subscriber, {
      preferredWidth: 0,
      preferredHeight: null,
    });
    await tick();
    expect(consumer.preferences.at(-1)).toEqual({ maxFrameRate: 15 });

    consumer.emit('congestion', false);
    consumer.emit('congestion', true);
    const hints = inbox.get('bob')?.filter((m) => m.method === 'update') ?? [];
    expect(hints.map((m) => [m.uri, m.content])).toEqual([
      ['/v2/partner/123/session/s1/stream/st/subscriber/sub/channel/video1', { active: false }],
      ['/v2/partner/123/session/s1/stream/st/subscriber/sub/channel/video1', { active: true }],
    ]);
    // After the subscription ends, late engine events reach nobody.
    session.removeSubscriber(stream, 'sub');
    consumer.emit('congestion', false);
    expect(inbox.get('bob')?.filter((m) => m.method === 'update')).toHaveLength(2);
  });
});
