/**
 * The media bridge of routed sessions: every stream goes through the SFU. The server asks the publisher
 * for an offer (`generateoffer` on the stream URI), answers it from the engine, and announces the stream
 * once its transport is connected; for each subscriber the server offers from the engine and applies the
 * subscriber's answer. Candidates are handed to the engine, which buffers those that arrive before the SDP;
 * the engine's own candidates travel inline in its SDPs. A subscriber's own offer (an ICE restart after a
 * reconnection) is answered.
 */
import { TypedEmitter } from '@parley/events';
import type {
  Producer,
  PublisherTransport,
  Router,
  SfuEngine,
  SubscriberTransport,
  VideoLayerPreferences,
} from '../../sfu/types.js';
import { SignalingError } from '../errors.js';
import type { RealtimeLogger } from '../logger.js';
import type { LiveSession } from '../session/live-session.js';
import type { LiveConnection, LiveStream, LiveSubscriber } from '../session/types.js';
import type {
  JsepMessage,
  MediaBridge,
  StreamProducers,
  StreamProducersEvents,
  SubscriberVideoPreferences,
} from './types.js';

/** The `sourceStreamId` of routed media. */
const MANTIS = 'MANTIS';

/** The producers of each stream's publisher transport, once it exists. */
class PublisherProducers extends TypedEmitter<StreamProducersEvents> implements StreamProducers {
  readonly transports = new Map<string, PublisherTransport>();

  of(streamId: string): readonly Producer[] {
    return this.transports.get(streamId)?.producers.filter((p) => !p.closed) ?? [];
  }
}

/** Routes one session's media through an SFU engine. */
export class RoutedMedia implements MediaBridge {
  readonly ready = true;
  readonly #producers = new PublisherProducers();
  readonly #session: LiveSession;
  readonly #engine: SfuEngine;
  readonly #log: RealtimeLogger;
  #router: Promise<Router> | null = null;
  readonly #publishers = new Map<string, Promise<PublisherTransport>>();
  readonly #subscribers = new Map<string, Promise<SubscriberTransport>>();
  /** Each subscriber's preferred video size and frame rate (merged from its channel updates). */
  readonly #videoPreferences = new Map<string, VideoLayerPreferences>();
  /** Streams whose audio a moderator force-muted; their audio producers stay paused. */
  readonly #audioMuted = new Set<string>();
  #closed = false;

  constructor(session: LiveSession, engine: SfuEngine, logger: RealtimeLogger) {
    this.#session = session;
    this.#engine = engine;
    this.#log = logger;
  }

  get producers(): StreamProducers {
    return this.#producers;
  }

  streamCreated(stream: LiveStream, publisher: LiveConnection): void {
    const transport = this.#routerOf().then((router) =>
      router.createPublisherTransport({ streamId: stream.id }),
    );
    this.#publishers.set(stream.id, transport);
    transport.then(
      (t) => {
        if (this.#closed || !this.#session.stream(stream.id)) {
          t.close();
          return;
        }
        this.#producers.transports.set(stream.id, t);
        // A producer negotiated after a forced mute (mute-on-entry, a renegotiation) starts paused.
        t.on('producer', (producer) => {
          if (producer.kind === 'audio' && this.#audioMuted.has(stream.id)) producer.pause();
          this.#producers.emit('producer', stream.id, producer);
        });
        t.on('connectionstatechange', (state) => {
          // The publish completes for the publisher, and starts for everyone else, once media can flow.
          if (state === 'connected') this.#session.announceStream(stream.id);
        });
        this.#session.sendTo(publisher.id, {
          method: 'generateoffer',
          uri: this.#session.uri(['stream', stream.id]),
          // OpenTok.js then offers RID simulcast (session info sets `streamSimulcastRidEnabled`), or
          // munges legacy SSRC-group simulcast into its offer without it; the engine takes both.
          content: { simulcastEnabled: this.#engine.simulcast, sourceStreamId: MANTIS },
        });
      },
      (error: unknown) => this.#fail(stream, error, 'could not create the publisher transport'),
    );
  }

  streamRemoved(stream: LiveStream): void {
    const transport = this.#publishers.get(stream.id);
    this.#publishers.delete(stream.id);
    this.#producers.transports.delete(stream.id);
    this.#audioMuted.delete(stream.id);
    // Closing the publisher transport closes its producers and so every consumer of them.
    void transport?.then(
      (t) => t.close(),
      () => undefined,
    );
    for (const subscriberId of stream.subscribers.keys()) this.#closeSubscriber(subscriberId);
  }

  subscriberCreated(stream: LiveStream, subscriber: LiveSubscriber): void {
    const publisherTransport = this.#publishers.get(stream.id);
    if (!publisherTransport) return;
    const transport = Promise.all([this.#routerOf(), publisherTransport]).then(([router, pub]) =>
      router.createSubscriberTransport({
        streamId: stream.id,
        subscriberId: subscriber.id,
        producers: pub.producers,
      }),
    );
    this.#subscribers.set(subscriber.id, transport);
    transport
      .then(async (t) => {
        this.#watchCongestion(t, stream, subscriber);
        const preferences = this.#videoPreferences.get(subscriber.id);
        if (preferences) this.#applyPreferences(t, preferences);
        const sdp = await t.createOffer();
        this.#session.sendTo(subscriber.connectionId, {
          method: 'offer',
          uri: this.#session.uri(['stream', stream.id], ['subscriber', subscriber.id]),
          content: { type: 'offer', sdp, sourceStreamId: MANTIS },
        });
      })
      .catch((error: unknown) => {
        this.#log.error({ err: error, streamId: stream.id, subscriberId: subscriber.id }, 'subscribe failed');
        this.#session.removeSubscriber(stream, subscriber.id);
      });
  }

  subscriberRemoved(_stream: LiveStream, subscriber: LiveSubscriber): void {
    this.#closeSubscriber(subscriber.id);
  }

  subscriberChannelChanged(
    _stream: LiveStream,
    subscriber: LiveSubscriber,
    kind: 'audio' | 'video',
    active: boolean,
  ): void {
    void this.#subscribers.get(subscriber.id)?.then(
      (transport) => {
        for (const consumer of transport.consumers) {
          if (consumer.kind !== kind) continue;
          if (active) consumer.resume();
          else consumer.pause();
        }
      },
      () => undefined,
    );
  }

  subscriberPreferencesChanged(
    _stream: LiveStream,
    subscriber: LiveSubscriber,
    preferences: SubscriberVideoPreferences,
  ): void {
    const merged = { ...this.#videoPreferences.get(subscriber.id) };
    const fields = [
      ['preferredWidth', 'maxWidth'],
      ['preferredHeight', 'maxHeight'],
      ['preferredFrameRate', 'maxFrameRate'],
    ] as const;
    for (const [from, to] of fields) {
      if (!(from in preferences)) continue;
      const value = preferences[from];
      // 0 or null clears the preference (OpenTok.js sends 0 for `setPreferredFrameRate(null)`).
      if (typeof value === 'number' && Number.isFinite(value) && value > 0) merged[to] = value;
      else delete merged[to];
    }
    this.#videoPreferences.set(subscriber.id, merged);
    void this.#subscribers.get(subscriber.id)?.then(
      (transport) => this.#applyPreferences(transport, merged),
      () => undefined,
    );
  }

  audioForceMuted(stream: LiveStream, muted: boolean): void {
    if (muted) this.#audioMuted.add(stream.id);
    else this.#audioMuted.delete(stream.id);
    void this.#publishers.get(stream.id)?.then(
      (transport) => {
        for (const producer of transport.producers) {
          if (producer.kind !== 'audio' || producer.closed) continue;
          // Re-check at resolution time: a resume may have overtaken a pending mute, or the reverse.
          if (this.#audioMuted.has(stream.id)) producer.pause();
          else producer.resume();
        }
      },
      () => undefined,
    );
  }

  async jsep({ method, from, stream, subscriber, content }: JsepMessage): Promise<void> {
    if (subscriber) {
      if (from.id !== subscriber.connectionId) {
        throw new SignalingError('PERMISSION_DENIED', 'Only the subscriber negotiates its subscription');
      }
      const transport = await this.#subscribers.get(subscriber.id);
      if (!transport) throw new SignalingError('NOT_FOUND', `Subscriber ${subscriber.id} has no media`);
      await this.#negotiate(
        method,
        content,
        transport,
        from,
        this.#session.uri(['stream', stream.id], ['subscriber', subscriber.id]),
      );
      return;
    }
    const transport = await this.#publishers.get(stream.id);
    if (!transport) throw new SignalingError('NOT_FOUND', `Stream ${stream.id} has no media`);
    await this.#negotiate(method, content, transport, from, this.#session.uri(['stream', stream.id]));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#producers.transports.clear();
    void this.#router?.then(
      (router) => router.close(),
      () => undefined,
    );
  }

  /** Applies an offer, answer or candidate to a transport; an offer is answered on the same URI. */
  async #negotiate(
    method: JsepMessage['method'],
    content: Record<string, unknown>,
    transport: PublisherTransport | SubscriberTransport,
    from: LiveConnection,
    uri: string,
  ): Promise<void> {
    if (method === 'candidate') {
      if (content.candidate !== undefined && typeof content.candidate !== 'string') {
        throw new SignalingError('BAD_REQUEST', 'content.candidate must be a string');
      }
      await transport.addRemoteCandidate({
        candidate: (content.candidate as string | undefined) ?? '',
        sdpMid: typeof content.sdpMid === 'string' ? content.sdpMid : null,
        sdpMLineIndex: typeof content.sdpMLineIndex === 'number' ? content.sdpMLineIndex : null,
      });
      return;
    }
    const sdp = content.sdp;
    if (typeof sdp !== 'string' || sdp === '')
      throw new SignalingError('BAD_REQUEST', 'content.sdp must be a non-empty string');
    if (method === 'offer') {
      // OpenTok.js publishers offer `sendrecv` sections, but only ever send; the engine expects the
      // direction that describes the leg (`sendonly`), so state it. The answer (`recvonly`) fits either.
      const offer =
        transport.kind === 'publisher'
          ? sdp.replace(/^a=sendrecv\r?$/gm, (line) => line.replace('sendrecv', 'sendonly'))
          : sdp;
      const answer = await transport.handleOffer(offer);
      this.#session.sendTo(from.id, {
        method: 'answer',
        uri,
        content: { type: 'answer', sdp: answer, sourceStreamId: MANTIS },
      });
      return;
    }
    if (transport.kind !== 'subscriber')
      throw new SignalingError('BAD_REQUEST', 'A publisher sends offers, not answers');
    await transport.handleAnswer(sdp);
  }

  #routerOf(): Promise<Router> {
    this.#router ??= Promise.resolve().then(async () => {
      const router =
        this.#engine.getRouter(this.#session.sessionId) ??
        (await this.#engine.createRouter({ sessionId: this.#session.sessionId }));
      router.once('workerclose', () => this.#workerLost());
      return router;
    });
    return this.#router;
  }

  /**
   * The SFU worker carrying this session died, and every transport with it. Media cannot resume on the
   * same connections (their peer connections end at a dead address), so every client is disconnected with
   * `networkDisconnected` — the reason Vonage gives for a lost media server — and its socket closed. The
   * session ends with its last connection, so clients that rejoin get a fresh session on a healthy worker.
   */
  #workerLost(): void {
    if (this.#closed) return;
    this.#log.error(
      { sessionId: this.#session.sessionId, connections: this.#session.connections.length },
      'The SFU worker of a routed session died; disconnecting its clients',
    );
    for (const connection of [...this.#session.connections]) {
      this.#session.removeConnection(connection.id, 'networkDisconnected');
      connection.endpoint.close(1011, 'networkDisconnected');
    }
  }

  #applyPreferences(transport: SubscriberTransport, preferences: VideoLayerPreferences): void {
    for (const consumer of transport.consumers) {
      if (consumer.kind === 'video' && !consumer.closed) consumer.setPreferredLayers(preferences);
    }
  }

  /**
   * Relays the engine's congestion hints to the subscriber: OpenTok's `update` on its video channel
   * (`{active: false}` "video disabled for congestion", `{active: true}` "re-enabled"). OpenTok.js answers
   * with `subscribeToVideo(active, 'auto')`, which pauses or resumes the consumer like any channel update.
   */
  #watchCongestion(transport: SubscriberTransport, stream: LiveStream, subscriber: LiveSubscriber): void {
    for (const consumer of transport.consumers) {
      if (consumer.kind !== 'video') continue;
      consumer.on('congestion', (videoEnabled) => {
        if (this.#closed || !this.#subscribers.has(subscriber.id)) return;
        this.#log.info(
          { streamId: stream.id, subscriberId: subscriber.id, videoEnabled },
          videoEnabled ? 'subscriber video re-enabled' : 'subscriber video disabled for congestion',
        );
        this.#session.sendTo(subscriber.connectionId, {
          method: 'update',
          uri: this.#session.uri(['stream', stream.id], ['subscriber', subscriber.id], ['channel', 'video1']),
          content: { active: videoEnabled },
        });
      });
    }
  }

  #closeSubscriber(subscriberId: string): void {
    const transport = this.#subscribers.get(subscriberId);
    this.#subscribers.delete(subscriberId);
    this.#videoPreferences.delete(subscriberId);
    void transport?.then(
      (t) => t.close(),
      () => undefined,
    );
  }

  #fail(stream: LiveStream, error: unknown, what: string): void {
    this.#log.error({ err: error, streamId: stream.id }, what);
    // The publisher learns its publish failed; nobody else ever saw the stream.
    this.#session.removeStream(stream.id, 'networkDisconnected');
  }
}
