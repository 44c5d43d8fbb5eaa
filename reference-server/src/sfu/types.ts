/**
 * The SFU engine interface: what the signaling gateway (`src/realtime/`) calls to route a session's media.
 *
 * The shape follows mediasoup's object tree so a mediasoup engine can stand behind the same interface where
 * it installs:
 *
 * ```
 * SfuEngine ─ createRouter({sessionId}) → Router                       (one per routed session)
 *   Router ─ createPublisherTransport({streamId}) → PublisherTransport (the publisher offers)
 *     PublisherTransport ─ 'producer' event → Producer                  (one per received audio/video track)
 *   Router ─ createSubscriberTransport({…, producers}) → SubscriberTransport (the server offers)
 *     SubscriberTransport.consumers → Consumer                          (one per producer it forwards)
 * ```
 *
 * Closing cascades down the tree: `router.close()` closes its transports, a transport closes its producers
 * or consumers, and a producer's close closes every consumer of it. `close()` is idempotent everywhere, and
 * every entity emits `close` exactly once, whatever closed it.
 *
 * Factory methods are asynchronous although the in-process werift engine could answer at once: an engine
 * whose workers live in other threads or processes (one per core) answers over IPC.
 *
 * No engine library type (werift, mediasoup) appears here: SDPs and candidates are plain strings and
 * objects, so the gateway and its tests can use a fake engine.
 */
import type { BaseEvents, EventMap, Listener } from '@parley/events';

/**
 * The subscribe side of a `TypedEmitter` from `@parley/events`: what callers of the engine may do with
 * its events (emitting stays with the engine). A listener that throws is reported as `listenerError`.
 */
export interface EventSource<E extends EventMap> {
  /** Adds a listener; returns `this` for chaining. */
  on<K extends keyof (E & BaseEvents) & string>(event: K, listener: Listener<E & BaseEvents, K>): this;
  /** Adds a listener that runs at most once. */
  once<K extends keyof (E & BaseEvents) & string>(event: K, listener: Listener<E & BaseEvents, K>): this;
  /** Removes a listener. */
  off<K extends keyof (E & BaseEvents) & string>(event: K, listener: Listener<E & BaseEvents, K>): this;
  /** How many listeners an event has. */
  listenerCount(event: keyof (E & BaseEvents) & string): number;
}

/** A media kind. */
export type MediaKind = 'audio' | 'video';

/** The peer connection state as the W3C `RTCPeerConnectionState` names it. */
export type TransportConnectionState =
  | 'new'
  | 'connecting'
  | 'connected'
  | 'disconnected'
  | 'failed'
  | 'closed';

/** An ICE server handed to clients (the `iceServers` of the session info / stream create answer). */
export interface IceServer {
  /** `stun:`, `turn:` or `turns:` URLs. */
  urls: string | string[];
  /** TURN user name. */
  username?: string;
  /** TURN credential. */
  credential?: string;
}

/** An inclusive UDP port range. */
export interface PortRange {
  /** The lowest port (1024–65535). */
  min: number;
  /** The highest port; greater than `min`. */
  max: number;
}

/** Options of an engine. Every field is optional; see {@link sfuEngineOptionDefaults}. */
export interface SfuEngineOptions {
  /**
   * The local IPv4 addresses ICE may use (host candidates are gathered on, and restricted to, these).
   * Default `['127.0.0.1']`: media never leaves the machine unless configured. No STUN server is ever
   * contacted by the engine.
   */
  listenIps?: string[];
  /**
   * The address announced to clients instead of the listen address (the public IP of a server behind NAT,
   * e.g. a cloud VM). Host candidates keep their port and take this address. Default: none.
   */
  announcedAddress?: string;
  /** The UDP ports ICE binds to. Default: any free port chosen by the OS. */
  portRange?: PortRange;
  /**
   * STUN/TURN servers handed to clients in the session info. The engine itself never contacts them.
   * Default `[]`.
   */
  iceServers?: IceServer[];
  /**
   * The most, in bits per second, the engine tells a publisher it may send (REMB). Default 2 000 000.
   * Per video track the engine announces less when its subscribers need it (their REMB, receiver-report
   * loss and NACKs), never under 100 kbps (or this value, if lower); with no subscriber, this value.
   */
  publisherMaxBitrate?: number;
  /**
   * Whether publishers are asked to send simulcast (several encodings of their video, from which each
   * subscriber gets the one that fits its preferred resolution and its bandwidth). The engine accepts
   * simulcast offers either way; this is what the gateway advertises. Default false (see the self-hosting
   * guide: with simulcast, a subscriber without a preferred resolution saw its first frame later).
   */
  simulcast?: boolean;
}

/** The defaults of {@link SfuEngineOptions}. */
export const sfuEngineOptionDefaults = {
  listenIps: ['127.0.0.1'],
  iceServers: [],
  publisherMaxBitrate: 2_000_000,
  simulcast: false,
} as const satisfies SfuEngineOptions;

/** A codec as negotiated on a transport (names as in SDP `a=rtpmap`, e.g. `audio/opus`, `video/H264`). */
export interface RtpCodec {
  /** `audio/opus`, `video/VP8` or `video/H264` (note the uppercase `H264`). */
  mimeType: string;
  /** The payload type on this transport (differs between the publisher's and each subscriber's leg). */
  payloadType: number;
  /** RTP clock rate (48 000 for Opus, 90 000 for video). */
  clockRate: number;
  /** Audio channels (2 for Opus). */
  channels?: number;
  /** The `a=fmtp` parameters, e.g. `profile-level-id=42e01f;packetization-mode=1`. */
  parameters?: string;
}

/** A trickled ICE candidate, as the browser's `RTCIceCandidateInit`. */
export interface IceCandidate {
  /** The `candidate:` line without the `a=` prefix. An empty string marks the end of candidates. */
  candidate: string;
  /** The m-section's `a=mid`. */
  sdpMid?: string | null;
  /** The m-section's index. */
  sdpMLineIndex?: number | null;
  /** The ICE ufrag the candidate belongs to. */
  usernameFragment?: string | null;
}

/** Packet and byte counters of one producer (what the engine received from the publisher). */
export interface ProducerStats {
  /** RTP packets received from the publisher (retransmissions included). */
  packetsIn: number;
  /** RTP payload bytes received. */
  bytesIn: number;
  /** Keyframe requests (PLI) sent to the publisher. */
  keyFrameRequests: number;
}

/** Packet and byte counters of one consumer (what the engine sent to the subscriber). */
export interface ConsumerStats {
  /** RTP packets forwarded to the subscriber. */
  packetsOut: number;
  /** RTP payload bytes forwarded. */
  bytesOut: number;
  /** Packets not forwarded because the consumer or its producer was paused. */
  packetsDropped: number;
  /** Keyframe requests (PLI) received from the subscriber. */
  keyFrameRequests: number;
  /** Packets resent (as RTX when negotiated) in answer to the subscriber's NACKs. */
  packetsRetransmitted: number;
}

/** Events of a {@link Producer}. */
export type ProducerEvents = {
  /** The producer closed (for any reason). Emitted once. */
  close: [];
  /** The producer closed because its transport closed. Emitted before `close`. */
  transportclose: [];
  /** Forwarding stopped (forced mute). */
  pause: [];
  /** Forwarding resumed. */
  resume: [];
};

/**
 * Receives a producer's RTP packets through {@link Producer.tap}: whole packets, header included, as
 * received from the publisher after SRTP decryption (header extensions may be present). The buffer is
 * shared by every tap of the producer (it is never copied per tap): a tap must not modify it, and copies
 * it to keep it beyond the call.
 */
export type ProducerTap = (packet: Buffer) => void;

/** One audio or video track received from a publisher. */
export interface Producer extends EventSource<ProducerEvents> {
  /** Unique within the engine. */
  readonly id: string;
  readonly kind: MediaKind;
  /** The codec the publisher sends; every consumer of this producer is pinned to the same codec. */
  readonly codec: RtpCodec;
  /** The stream this producer belongs to. */
  readonly streamId: string;
  readonly paused: boolean;
  readonly closed: boolean;
  /** Counters for metrics and tests. Out-of-process engines may lag by their stats interval. */
  readonly stats: ProducerStats;
  /**
   * Stops forwarding this track to every consumer: no packet of it reaches any subscriber until
   * {@link resume}. This is what a forced audio mute calls.
   */
  pause(): void;
  /** Resumes forwarding, and asks the publisher for a keyframe so video recovers at once. */
  resume(): void;
  /** Asks the publisher for a keyframe (RTCP PLI). No-op on audio. */
  requestKeyFrame(): void;
  /**
   * Hands every packet of this track to `tap` (mediasoup's `DirectTransport` idea), for the recording
   * pipeline: until the returned function is called or the producer closes. Like consumers, taps get
   * nothing while the producer is paused (a forced mute must silence recordings too). Costs nothing while
   * no tap is attached; an out-of-process engine sends packets across its IPC channel only while a tap
   * exists, so they may arrive a few milliseconds late.
   */
  tap(tap: ProducerTap): () => void;
  /** Closes the producer and every consumer of it. Idempotent. */
  close(): void;
}

/**
 * What a subscriber wants of a simulcast video (OpenTok `setPreferredResolution` and
 * `setPreferredFrameRate`). An absent field sets no limit.
 */
export interface VideoLayerPreferences {
  /** The largest frame width wanted, in pixels. */
  maxWidth?: number;
  /** The largest frame height wanted, in pixels. */
  maxHeight?: number;
  /** The highest frame rate wanted, in frames per second. */
  maxFrameRate?: number;
}

/** One simulcast layer of a video producer, as measured by the engine. */
export interface VideoLayer {
  /** Its rank among the producer's layers, 0 being the lowest quality. */
  index: number;
  /** The `a=rid` of a RID-simulcast layer. */
  rid?: string;
  /** The publisher's SSRC of the layer, once seen. */
  ssrc?: number;
  /** The frame size, once seen in a keyframe (VP8). */
  width?: number;
  height?: number;
  /** Measured frames per second. */
  frameRate?: number;
  /** Measured bits per second. */
  bitrate: number;
}

/** Events of a {@link Consumer}. */
export type ConsumerEvents = {
  /**
   * Simulcast: the subscriber now receives another layer (the switch happened on a keyframe of it).
   * Emitted for the first layer too.
   */
  layerchange: [layer: VideoLayer];
  /**
   * Simulcast congestion hint: `false` when video to this subscriber stopped because even the lowest
   * layer does not fit its bandwidth, `true` when the engine tries it again. The gateway tells the client
   * (OpenTok's "subscriber video disabled/enabled" hint).
   */
  congestion: [videoEnabled: boolean];
  /** The consumer closed (for any reason). Emitted once. */
  close: [];
  /** The consumer closed because its producer closed. Emitted before `close`. */
  producerclose: [];
  /** The consumer closed because its transport closed. Emitted before `close`. */
  transportclose: [];
  /** The consumer was paused. */
  pause: [];
  /** The consumer was resumed. */
  resume: [];
  /** The producer was paused (forced mute): nothing is forwarded whatever this consumer's state. */
  producerpause: [];
  /** The producer was resumed. */
  producerresume: [];
};

/** One producer forwarded to one subscriber. */
export interface Consumer extends EventSource<ConsumerEvents> {
  readonly id: string;
  readonly producerId: string;
  readonly kind: MediaKind;
  /** The codec on the subscriber's leg: always the producer's codec (payload type may differ). */
  readonly codec: RtpCodec;
  /** Paused by the subscriber (subscribeToAudio/Video false). */
  readonly paused: boolean;
  /** The producer is paused (forced mute). */
  readonly producerPaused: boolean;
  readonly closed: boolean;
  /** Counters for metrics and tests. */
  readonly stats: ConsumerStats;
  /** Stops forwarding to this subscriber (subscribeToVideo(false) / subscribeToAudio(false)). */
  pause(): void;
  /** Resumes forwarding; for video also asks the publisher for a keyframe. */
  resume(): void;
  /** Asks the producer's publisher for a keyframe. */
  requestKeyFrame(): void;
  /** Simulcast video: the layer forwarded now; null before the first one or while paused by congestion. */
  readonly currentLayer: VideoLayer | null;
  /**
   * Sets the subscriber's preferred resolution and frame rate: a simulcast video consumer forwards the
   * highest layer within them that its bandwidth allows. Replaces the previous preferences; without
   * simulcast it has no effect. Throws an `SfuError` (`INVALID_ARGUMENT`) naming a field that is not a
   * positive number.
   */
  setPreferredLayers(preferences: VideoLayerPreferences): void;
  /** Closes the consumer. Idempotent. */
  close(): void;
}

/** Events every transport emits. */
export type TransportEvents = {
  /**
   * A local ICE candidate to trickle to the client. The engine also puts its candidates inline in each SDP
   * it produces, so forwarding these is optional. Only candidates on the configured addresses appear.
   */
  localcandidate: [candidate: IceCandidate];
  /** The connection state changed; `connected` is when media can flow (publisher: announce the stream). */
  connectionstatechange: [state: TransportConnectionState];
  /** The transport closed (for any reason). Emitted once. */
  close: [];
  /** The transport closed because its router closed. Emitted before `close`. */
  routerclose: [];
};

/** What publisher and subscriber transports share. */
export interface Transport<E extends TransportEvents = TransportEvents> extends EventSource<E> {
  /** Unique within the engine. */
  readonly id: string;
  /** The stream this transport carries. */
  readonly streamId: string;
  readonly connectionState: TransportConnectionState;
  readonly closed: boolean;
  /**
   * Adds a candidate trickled by the client. Candidates that arrive before the client's SDP are buffered
   * and applied once it is set. An empty `candidate` (or `null`) marks the end of candidates. A malformed
   * candidate rejects with an `SfuError` of code `INVALID_CANDIDATE`.
   */
  addRemoteCandidate(candidate: IceCandidate | null): Promise<void>;
  /** Closes the transport and its producers or consumers. Idempotent. */
  close(): void;
}

/** Events of a {@link PublisherTransport}. */
export type PublisherTransportEvents = TransportEvents & {
  /** A track of the publisher was negotiated; fires during {@link PublisherTransport.handleOffer}. */
  producer: [producer: Producer];
};

/** The leg from a publisher to the engine. The publisher offers (after the gateway's `generateoffer`). */
export interface PublisherTransport extends Transport<PublisherTransportEvents> {
  readonly kind: 'publisher';
  /** The producers negotiated so far (at most one audio and one video). */
  readonly producers: readonly Producer[];
  /**
   * Applies the publisher's offer (initial, renegotiation or ICE restart) and returns the engine's answer,
   * with its candidates inline. The answer accepts Opus, VP8 and H.264, negotiates NACK, RTX and PLI, and
   * no transport-wide congestion control (the engine sends REMB instead). Rejects with an `SfuError`
   * (`INVALID_SDP`, `UNSUPPORTED_CODEC`, `INVALID_STATE`) naming what is wrong.
   */
  handleOffer(sdp: string): Promise<string>;
}

/** Which of a stream's tracks a subscriber receives (OpenTok `subscribeToAudio` / `subscribeToVideo`). */
export interface SubscriberPreferences {
  /** Forward audio. Default true. */
  audio?: boolean;
  /** Forward video. Default true. */
  video?: boolean;
}

/** Events of a {@link SubscriberTransport}. */
export type SubscriberTransportEvents = TransportEvents;

/** The leg from the engine to one subscriber. The engine offers. */
export interface SubscriberTransport extends Transport<SubscriberTransportEvents> {
  readonly kind: 'subscriber';
  readonly subscriberId: string;
  /** One consumer per producer given at creation, in that order. */
  readonly consumers: readonly Consumer[];
  /**
   * Creates the engine's offer (sendonly, one m-section per consumer, each pinned to its producer's
   * codec, with `a=msid`), candidates inline. Call again for a renegotiation; pass `iceRestart` to restart
   * ICE from the server side.
   */
  createOffer(options?: { iceRestart?: boolean }): Promise<string>;
  /** Applies the subscriber's answer to the last offer. */
  handleAnswer(sdp: string): Promise<void>;
  /**
   * Answers an offer from the subscriber (OpenTok.js sends one to restart ICE after a reconnection).
   * The media sections must match the ones already negotiated.
   */
  handleOffer(sdp: string): Promise<string>;
}

/** Options of {@link Router.createPublisherTransport}. */
export interface PublisherTransportOptions {
  /** The OpenTok stream ID. */
  streamId: string;
}

/** Options of {@link Router.createSubscriberTransport}. */
export interface SubscriberTransportOptions {
  /** The OpenTok stream ID being subscribed to. */
  streamId: string;
  /** The OpenTok subscriber ID. */
  subscriberId: string;
  /** The producers to forward (usually the publisher transport's `producers`); each must be open. */
  producers: readonly Producer[];
  /** Initial pause state of the consumers. Default: everything forwarded. */
  preferences?: SubscriberPreferences;
}

/** Events of a {@link Router}. */
export type RouterEvents = {
  /** The router closed (for any reason). Emitted once. */
  close: [];
  /**
   * The worker process hosting the router died (multi-worker engines only). Emitted before `close`; the
   * session's transports close with `routerclose`. The gateway ends the session's connections with the
   * reason `networkDisconnected`, so clients reconnect and land on a healthy worker.
   */
  workerclose: [];
};

/** The media of one routed session. */
export interface Router extends EventSource<RouterEvents> {
  readonly id: string;
  readonly sessionId: string;
  readonly closed: boolean;
  /** Creates the transport a publisher sends a stream on. */
  createPublisherTransport(options: PublisherTransportOptions): Promise<PublisherTransport>;
  /** Creates the transport a subscriber receives a stream on, with one consumer per producer. */
  createSubscriberTransport(options: SubscriberTransportOptions): Promise<SubscriberTransport>;
  /** Closes every transport of the session. Idempotent. */
  close(): void;
}

/** Events of an {@link SfuEngine}. */
export type SfuEngineEvents = {
  /** The engine closed. */
  close: [];
};

/** An SFU engine: places routers (sessions) on its workers. */
export interface SfuEngine extends EventSource<SfuEngineEvents> {
  /** The engine's name (`werift`, later `mediasoup`). */
  readonly name: string;
  /** The ICE servers to hand to clients (from {@link SfuEngineOptions.iceServers}). */
  readonly iceServers: readonly IceServer[];
  /** Whether publishers of routed sessions are asked for simulcast ({@link SfuEngineOptions.simulcast}). */
  readonly simulcast: boolean;
  readonly closed: boolean;
  /** Creates the router of a session. Rejects when the session already has an open router. */
  createRouter(options: { sessionId: string }): Promise<Router>;
  /** The open router of a session, if any. */
  getRouter(sessionId: string): Router | undefined;
  /** Closes every router. Idempotent. */
  close(): void;
}
