/**
 * A client of a live session hosted inside the server: the Audio Connector's connection.
 *
 * Why it attaches to the {@link LiveSession} directly instead of dialling the server's own signaling
 * gateway over loopback: the live session is the seam every client already goes through — the gateway's
 * handlers only parse Rumor frames and then call `addConnection`, `announceConnection`, `addStream`,
 * `media.streamCreated` and `media.jsep`, which is what this class calls. Going through the gateway would
 * add a WebSocket, the Rumor and Raptor codecs, transaction IDs and acknowledgements to the same result,
 * with more ways to fail and nothing more to show. Attached here, the connector is still a full
 * connection: other clients get `connectionCreated` and `streamCreated`, the session-monitoring webhooks
 * fire, `GET …/connection` lists it, and `DELETE …/connection/{id}` force-disconnects it (the session
 * closes its endpoint, which stops the connector). Its stream is published through the session's real
 * SFU bridge with a WebRTC peer connection ({@link OpusPublisher}), as a browser's would be.
 */
import { SignalingError } from '../../realtime/errors.js';
import type { LiveSession } from '../../realtime/session/live-session.js';
import type { LiveSessionRegistry } from '../../realtime/session/registry.js';
import {
  type LiveConnection,
  type LiveStream,
  type OutboundMessage,
  ROLE_PERMISSIONS,
} from '../../realtime/session/types.js';
import type { VerifiedClientToken } from '../../tokens/client-token.js';
import { OpusPublisher } from './opus-publisher.js';

/** How long publishing may take before it is given up (the SFU answers in milliseconds on loopback). */
const PUBLISH_TIMEOUT_MS = 10_000;

/** Options of {@link SessionClient.join}. */
export interface SessionClientOptions {
  registry: LiveSessionRegistry;
  session: LiveSession;
  connectionId: string;
  /** The verified token the connector joins with (role, connection data, layout classes). */
  token: VerifiedClientToken;
  /** Shown in logs as the connection's user agent. */
  userAgent: string;
  now: () => number;
  /** Called once when the session ends the connection (force-disconnect, session closed). */
  onEnded: (reason: string) => void;
  /** Sees every message the session sends the client (a SIP call watches for force-mute). */
  onMessage?: (message: OutboundMessage) => void;
}

/** A connected in-process client; see the file comment. */
export class SessionClient {
  readonly connection: LiveConnection;
  readonly #session: LiveSession;
  readonly #registry: LiveSessionRegistry;
  /** Waiters for messages the session sends this client, by method and URI. */
  readonly #waiters = new Map<string, (message: OutboundMessage) => void>();
  #publisher: OpusPublisher | null = null;
  #left = false;

  private constructor(options: SessionClientOptions) {
    this.#session = options.session;
    this.#registry = options.registry;
    this.connection = {
      id: options.connectionId,
      sessionId: options.session.sessionId,
      role: options.token.role,
      permissions: ROLE_PERMISSIONS[options.token.role],
      data: options.token.connectionData,
      initialLayoutClassList: options.token.initialLayoutClassList,
      creationTime: options.now(),
      connectionEventsSuppressed: true,
      userAgent: options.userAgent,
      state: 'connecting',
      endpoint: {
        send: (message) => {
          options.onMessage?.(message);
          this.#waiters.get(`${message.method} ${message.uri}`)?.(message);
        },
        close: (_code, reason) => {
          this.#left = true;
          options.onEnded(reason);
        },
      },
    };
  }

  /**
   * Joins the session (throws the session's `SignalingError` when it is full) and announces the
   * connection to every client.
   */
  static join(options: SessionClientOptions): SessionClient {
    const client = new SessionClient(options);
    options.session.addConnection(client.connection);
    options.session.announceConnection(client.connection);
    return client;
  }

  /** Whether the connection is still in the session. */
  get connected(): boolean {
    return !this.#left && this.connection.state === 'connected';
  }

  /**
   * Publishes an audio-only stream and resolves with its sender once the session has announced it
   * (media reaches the SFU). Throws a `SignalingError` when the session cannot carry media.
   */
  async publishAudio(streamId: string, name: string): Promise<OpusPublisher> {
    const session = this.#session;
    if (!session.media.ready) throw new SignalingError('MEDIA_UNAVAILABLE');
    const stream: LiveStream = {
      id: streamId,
      connectionId: this.connection.id,
      name,
      creationTime: session.now(),
      channels: new Map([['audio1', { id: 'audio1', type: 'audio', active: true, attributes: {} }]]),
      customProperties: {},
      publisherAudioFallbackEnabled: false,
      subscriberAudioFallbackEnabled: false,
      sourceStreamId: 'MANTIS',
      layoutClassList: [...this.connection.initialLayoutClassList],
      announced: false,
      subscribers: new Map(),
    };
    const streamUri = session.uri(['stream', streamId]);
    const offerAsked = this.#next('generateoffer', streamUri);
    const answered = this.#next('answer', streamUri);
    const announced = new Promise<void>((resolve) => {
      const listener = (_session: LiveSession, created: LiveStream) => {
        if (created.id !== streamId) return;
        this.#registry.off('streamCreated', listener);
        resolve();
      };
      this.#registry.on('streamCreated', listener);
    });
    session.addStream(stream);
    const publisher = new OpusPublisher();
    this.#publisher = publisher;
    session.media.streamCreated(stream, this.connection);
    await withTimeout(offerAsked, 'the SFU to ask for an offer');
    const offer = await publisher.createOffer();
    const jsep = { from: this.connection, stream, subscriber: null };
    for (const candidate of offer.candidates) {
      await session.media.jsep({ ...jsep, method: 'candidate', content: { ...candidate } });
    }
    await session.media.jsep({ ...jsep, method: 'offer', content: { type: 'offer', sdp: offer.sdp } });
    const answer = await withTimeout(answered, 'the SFU answer');
    if (typeof answer.content.sdp !== 'string') throw new Error('The SFU answer has no SDP');
    await publisher.setAnswer(answer.content.sdp);
    await withTimeout(announced, 'the stream to reach the SFU');
    return publisher;
  }

  /**
   * Turns the audio of one of this client's streams on or off, as a publisher's channel update does:
   * turning it on ends a force-mute of the stream (the media flows again).
   */
  setAudioActive(streamId: string, active: boolean): void {
    const stream = this.#session.stream(streamId);
    if (!stream || stream.connectionId !== this.connection.id || this.#left) return;
    this.#session.updateChannel(stream, 'audio1', { active });
  }

  /** Leaves the session (`clientDisconnected`) and closes the media. Idempotent. */
  async leave(): Promise<void> {
    if (!this.#left) {
      this.#left = true;
      this.#session.removeConnection(this.connection.id, 'clientDisconnected');
    }
    this.#waiters.clear();
    await this.#publisher?.close();
  }

  /** Resolves with the next message of `method` on `uri` sent to this client. */
  #next(method: string, uri: string): Promise<OutboundMessage> {
    const key = `${method} ${uri}`;
    return new Promise((resolve) => {
      this.#waiters.set(key, (message) => {
        this.#waiters.delete(key);
        resolve(message);
      });
    });
  }
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), PUBLISH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
