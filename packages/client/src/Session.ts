/**
 * A session (OpenTok.js `Session`): connect with a token, publish, subscribe, signal and moderate, with
 * OpenTok.js event names and a promise-based API.
 *
 * ```ts
 * const session = initSession(projectId, sessionId, { url: 'https://video.example.com' });
 * session.on('streamCreated', ({ stream }) => session.subscribe(stream));
 * await session.connect(token);
 * const publisher = await session.publish({ name: 'Alice' });
 * ```
 */
import { TypedEmitter } from '@parley/events';
import { buildRaptorUri, type RaptorKey } from '@parley/protocol';
import { type Capabilities, type Connection, capabilitiesOf, type Permission } from './Connection.js';
import { E2eeContext } from './e2ee/cryptor.js';
import { checkSecret } from './e2ee/key.js';
import {
  ErrorCode,
  type ErrorName,
  InvalidParameterError,
  notConnected,
  ParleyClientError,
} from './errors.js';
import type { DisconnectReason, SessionEvents } from './events.js';
import { createLogger, type Logger } from './logger.js';
import type { ResolvedSessionOptions } from './options.js';
import { Publisher, type PublisherOptions } from './Publisher.js';
import { Stream } from './Stream.js';
import { Subscriber, type SubscriberOptions } from './Subscriber.js';
import { SessionDispatcher } from './session/dispatcher.js';
import { type Joined, join } from './session/join.js';
import { type SessionLink, sendNotification, sendRequest } from './session/link.js';
import {
  forceDisconnectRequest,
  forceMuteStreamRequest,
  forceUnpublishRequest,
  type ModerationRequest,
  sessionMuteRequest,
} from './session/moderation.js';
import { SessionRoster } from './session/roster.js';
import { checkSignalOptions, type SignalOptions, sendSignal } from './session/signals.js';
import type { ClientSessionInfo } from './signaling/session-info.js';

/** The session's connection state. */
export type SessionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** A Parley (OpenTok-compatible) session. Create it with `initSession`. */
export class Session extends TypedEmitter<SessionEvents> {
  /** The session ID. */
  readonly sessionId: string;
  /** The project ID (OpenTok API key) the session belongs to. */
  readonly projectId: string;
  readonly #options: ResolvedSessionOptions;
  readonly #log: Logger;
  readonly #roster = new SessionRoster();
  readonly #dispatcher: SessionDispatcher;
  #state: SessionState = 'disconnected';
  #joined: Joined | null = null;
  #e2ee: E2eeContext | null = null;
  #pendingSecret: string | undefined;
  #forceMuted = false;

  /** @internal Use `initSession`. */
  constructor(projectId: string, sessionId: string, options: ResolvedSessionOptions) {
    super();
    this.projectId = projectId;
    this.sessionId = sessionId;
    this.#options = options;
    this.#pendingSecret = options.encryptionSecret;
    this.#log = createLogger(options.logger, options.logLevel, 'session', () => ({
      sessionId,
      connectionId: this.#roster.ownConnectionId,
    }));
    this.#dispatcher = new SessionDispatcher({
      roster: this.#roster,
      events: this,
      logger: this.#log,
      isJoined: () => this.isConnected,
      ownConnectionDeleted: (reason) => {
        this.#joined?.socket.disconnect();
        this.#terminate(reason);
      },
      sessionMuted: (active) => {
        this.#forceMuted = active;
      },
    });
  }

  /** The connection state. */
  get state(): SessionState {
    return this.#state;
  }

  /** Whether the session is connected (also while reconnecting). */
  get isConnected(): boolean {
    return this.#state === 'connected' || this.#state === 'reconnecting';
  }

  /** The client's own connection, once connected. */
  get connection(): Connection | null {
    return this.#roster.ownConnection;
  }

  /** What the client's token allows (all 0 before connecting). */
  get capabilities(): Capabilities {
    return capabilitiesOf(this.connection);
  }

  /** Every connection in the session, the client's own included. */
  get connections(): ReadonlyMap<string, Connection> {
    return this.#roster.connections;
  }

  /** Every stream of other clients in the session. */
  get streams(): ReadonlyMap<string, Stream> {
    return this.#roster.streams;
  }

  /** Whether the session is end-to-end encrypted (known once connected). */
  get isEncrypted(): boolean {
    return this.#joined?.info.e2ee ?? false;
  }

  /**
   * Connects with a client token. Resolves after `sessionConnected`; rejects with `OT_AUTHENTICATION_ERROR`
   * (1004), `OT_INVALID_SESSION_ID` (1005), `OT_CONNECT_FAILED` (1006), `OT_CONNECTION_LIMIT_EXCEEDED`
   * (1027), `OT_TERMS_OF_SERVICE_FAILURE` (1026) or `OT_TIMEOUT`.
   */
  async connect(token: string): Promise<void> {
    if (typeof token !== 'string' || token === '')
      throw new InvalidParameterError('token', 'must be a non-empty string');
    if (this.#state !== 'disconnected') {
      throw new ParleyClientError(
        ErrorCode.ConnectFailed,
        'OT_CONNECT_FAILED',
        `connect() called while ${this.#state}`,
      );
    }
    this.#state = 'connecting';
    const connectionId = this.#newId();
    this.#roster.ownConnectionId = connectionId;
    this.#log.info('connecting');
    let joined: Joined;
    try {
      joined = await join({
        options: this.#options,
        projectId: this.projectId,
        sessionId: this.sessionId,
        token,
        connectionId,
        logger: this.#log,
        newId: () => this.#newId(),
        onMessage: (message, from) => this.#dispatcher.dispatch(message, from),
      });
    } catch (error) {
      this.#state = 'disconnected';
      this.#roster.clear();
      this.#log.error('connect failed', { error: String(error) });
      throw error;
    }
    this.#joined = joined;
    if (joined.info.e2ee) {
      this.#e2ee = new E2eeContext(this.sessionId);
      if (this.#pendingSecret !== undefined) await this.#e2ee.setSecret(this.#pendingSecret);
    }
    joined.socket.on('reconnecting', () => {
      this.#state = 'reconnecting';
      this.emit('sessionReconnecting', { type: 'sessionReconnecting' });
    });
    joined.socket.on('reconnected', () => {
      this.#state = 'connected';
      this.emit('sessionReconnected', { type: 'sessionReconnected' });
      this.#restartIce(joined.info.relayed);
    });
    joined.socket.on('closed', (reason) => {
      if (reason === 'networkDisconnected') this.#terminate('networkDisconnected');
    });
    const streams = this.#dispatcher.load(joined.state);
    this.#state = 'connected';
    this.#log.info('connected', { connections: this.#roster.connections.size, streams: streams.length });
    this.#dispatcher.announceJoin(joined.state, streams);
  }

  /** Leaves the session: unpublishes, unsubscribes, says goodbye. Emits `sessionDisconnected`. */
  disconnect(): void {
    if (!this.#joined) return;
    this.#log.info('disconnecting');
    this.#joined.socket.disconnect();
    this.#terminate('clientDisconnected');
  }

  /**
   * Publishes local media: a {@link Publisher} from `initPublisher` (listen to its `accessDenied` first),
   * capture options (camera, microphone, `videoSource: 'screen'`) or a `MediaStream` the app already has.
   * Resolves once the stream is live in the session; rejects with `OT_NOT_CONNECTED` (1010),
   * `OT_PERMISSION_DENIED`/`OT_USER_MEDIA_ACCESS_DENIED`/`OT_STREAM_CREATE_FAILED` (1500) or `OT_TIMEOUT`.
   */
  async publish(source: Publisher | PublisherOptions | MediaStream = {}): Promise<Publisher> {
    const link = this.#requireLink('publish');
    this.#requirePermission('publish', ErrorCode.UnableToPublish, 'OT_PERMISSION_DENIED', 'publish');
    if (link.e2ee && !link.e2ee.hasKey) {
      throw new ParleyClientError(
        ErrorCode.UnableToPublish,
        'OT_INVALID_ENCRYPTION_SECRET',
        'This session is end-to-end encrypted: call session.setEncryptionSecret(secret) before publishing',
      );
    }
    let publisher: Publisher;
    if (source instanceof Publisher) publisher = source;
    else if (typeof MediaStream !== 'undefined' && source instanceof MediaStream) {
      publisher = new Publisher({}, this.#options.mediaHandler, this.#log, source);
    } else publisher = new Publisher(source as PublisherOptions, this.#options.mediaHandler, this.#log);
    const { publishers } = this.#roster;
    publishers.set(publisher.streamId, publisher);
    publisher.once('destroyed', () => publishers.delete(publisher.streamId));
    if (this.#forceMuted) publisher.publishAudio(false);
    await publisher.publishTo(link, () => this.connection);
    return publisher;
  }

  /** Unpublishes a publisher of this session and releases its media. */
  async unpublish(publisher: Publisher): Promise<void> {
    if (!(publisher instanceof Publisher))
      throw new InvalidParameterError('publisher', 'must be a Publisher of this session');
    if (this.#roster.publishers.get(publisher.streamId) !== publisher) return;
    publisher.destroy('unpublished', true);
  }

  /**
   * Subscribes to another client's stream. Resolves once media flows; rejects with `OT_NOT_CONNECTED`,
   * `OT_UNABLE_TO_SUBSCRIBE` (1501) or `OT_TIMEOUT`.
   */
  async subscribe(stream: Stream, options: SubscriberOptions = {}): Promise<Subscriber> {
    const link = this.#requireLink('subscribe');
    if (!(stream instanceof Stream))
      throw new InvalidParameterError('stream', 'must be a Stream of this session');
    this.#requirePermission('subscribe', ErrorCode.UnableToSubscribe, 'OT_PERMISSION_DENIED', 'subscribe');
    if (!this.#roster.streams.has(stream.streamId)) {
      throw new ParleyClientError(
        ErrorCode.UnableToSubscribe,
        'OT_STREAM_NOT_FOUND',
        `stream ${stream.streamId} is not in the session`,
      );
    }
    const subscriber = new Subscriber(link, stream, options);
    const { subscribers } = this.#roster;
    subscribers.set(subscriber.id, subscriber);
    subscriber.once('destroyed', () => subscribers.delete(subscriber.id));
    await subscriber.start();
    return subscriber;
  }

  /** Stops receiving a stream. */
  async unsubscribe(subscriber: Subscriber): Promise<void> {
    if (!(subscriber instanceof Subscriber))
      throw new InvalidParameterError('subscriber', 'must be a Subscriber of this session');
    subscriber.destroy('unsubscribed', true);
  }

  /** The publisher of one of this client's streams. */
  getPublisherForStream(stream: Stream | string): Publisher | undefined {
    return this.#roster.publishers.get(typeof stream === 'string' ? stream : stream.streamId);
  }

  /** This client's subscribers of a stream. */
  getSubscribersForStream(stream: Stream | string): Subscriber[] {
    return this.#roster.subscribersOf(typeof stream === 'string' ? stream : stream.streamId);
  }

  /**
   * Sends a signal to everyone (the sender included) or to one connection. While reconnecting the signal
   * is queued unless `retryAfterReconnect: false`. Rejects with `OT_UNABLE_TO_SIGNAL` (1510; `status` 400,
   * 403, 404, 413, 429 or 500) or `OT_NOT_CONNECTED`.
   */
  async signal(options: SignalOptions = {}): Promise<void> {
    const signal = checkSignalOptions(options);
    const joined = this.#joined;
    if (!joined || !this.isConnected) throw notConnected('signal');
    await sendSignal(joined.channel, signal, (...pairs) => this.#uri(...pairs), this.#newId());
  }

  /** Disconnects another client (moderators). Rejects with `OT_UNABLE_TO_FORCE_DISCONNECT` (1520). */
  async forceDisconnect(connection: Connection | string): Promise<void> {
    await this.#moderate(forceDisconnectRequest(connection));
  }

  /** Stops another client's stream (moderators). Rejects with `OT_UNABLE_TO_FORCE_UNPUBLISH` (1530). */
  async forceUnpublish(stream: Stream | string): Promise<void> {
    await this.#moderate(forceUnpublishRequest(stream));
  }

  /** Mutes one stream's audio (moderators). Rejects with `OT_UNABLE_TO_FORCE_MUTE` (1540). */
  async forceMuteStream(stream: Stream | string): Promise<void> {
    await this.#moderate(forceMuteStreamRequest(stream));
  }

  /** Mutes every stream's audio except `excludedStreams`, and later publishers too (moderators). */
  async forceMuteAll(excludedStreams: (Stream | string)[] = []): Promise<void> {
    await this.#moderate(sessionMuteRequest(true, excludedStreams));
  }

  /** Ends a `forceMuteAll` (moderators). */
  async disableForceMute(): Promise<void> {
    await this.#moderate(sessionMuteRequest(false));
  }

  /**
   * Sets the end-to-end encryption secret (8–256 characters), before or after connecting. Every client
   * of an encrypted session must use the same secret; a subscriber with another one gets
   * `encryptionSecretMismatch`. Rejects with `OT_INVALID_PARAMETER` for a bad secret.
   */
  async setEncryptionSecret(secret: string): Promise<void> {
    // Kept for later connects too; applied at once when connected to an encrypted session.
    this.#pendingSecret = checkSecret(secret);
    await this.#e2ee?.setSecret(this.#pendingSecret);
  }

  #link(): SessionLink | null {
    const joined = this.#joined;
    const connectionId = this.#roster.ownConnectionId;
    if (!joined || connectionId === null) return null;
    return {
      sessionId: this.sessionId,
      connectionId,
      info: joined.info,
      options: this.#options,
      logger: this.#log,
      e2ee: this.#e2ee,
      uri: (...pairs) => this.#uri(...pairs),
      request: (method, uri, content, failure) =>
        sendRequest(this.#joined?.channel, { method, uri, content }, failure),
      notify: (method, uri, content) => sendNotification(joined.channel, { method, uri, content }, this.#log),
      newId: () => this.#newId(),
    };
  }

  #requireLink(operation: string): SessionLink {
    const link = this.isConnected ? this.#link() : null;
    if (!link) throw notConnected(operation);
    return link;
  }

  #requirePermission(permission: Permission, code: ErrorCode, name: ErrorName, operation: string): void {
    if (!this.connection?.permissions.has(permission)) {
      throw new ParleyClientError(code, name, `${operation}: the token's role does not allow ${permission}`);
    }
  }

  async #moderate({ permission, method, path, content, failure }: ModerationRequest): Promise<void> {
    this.#requireLink(failure.operation);
    this.#requirePermission(permission, failure.code, failure.name, failure.operation);
    await sendRequest(this.#joined?.channel, { method, uri: this.#uri(...path), content }, failure);
  }

  #uri(...pairs: [RaptorKey, string][]): string {
    const info: ClientSessionInfo | undefined = this.#joined?.info;
    return buildRaptorUri(info?.partnerId ?? this.projectId, info?.sessionId ?? this.sessionId, ...pairs);
  }

  #newId(): string {
    return crypto.randomUUID();
  }

  /**
   * After a reconnection the media paths may have moved too (a new network, a new address): publishers
   * ICE-restart every leg and, in routed sessions, subscribers offer an ICE restart to the SFU. In relayed
   * sessions a subscriber's leg is the publisher's to restart, as in OpenTok.js.
   */
  #restartIce(relayed: boolean): void {
    for (const publisher of this.#roster.publishers.values()) publisher.restartIce();
    if (relayed) return;
    for (const subscriber of this.#roster.subscribers.values()) subscriber.restartIce();
  }

  #terminate(reason: DisconnectReason): void {
    if (this.#state === 'disconnected') return;
    this.#state = 'disconnected';
    const joined = this.#joined;
    this.#joined = null;
    joined?.channel.close();
    for (const publisher of [...this.#roster.publishers.values()]) publisher.destroy(reason, false);
    for (const subscriber of [...this.#roster.subscribers.values()])
      subscriber.destroy('sessionDisconnected', false);
    this.#e2ee?.close();
    this.#e2ee = null;
    this.#roster.clear();
    this.#forceMuted = false;
    this.#log.info('disconnected', { reason });
    this.emit('sessionDisconnected', { type: 'sessionDisconnected', reason });
  }
}
