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
import {
  buildRaptorUri,
  parseRaptorUri,
  type RaptorKey,
  type RaptorMessage,
  type RaptorUri,
} from '@parley/protocol';
import { type Capabilities, Connection, capabilitiesOf, type Permission } from './Connection.js';
import { E2eeContext } from './e2ee/cryptor.js';
import { checkSecret } from './e2ee/key.js';
import {
  ErrorCode,
  type ErrorName,
  InvalidParameterError,
  notConnected,
  ParleyClientError,
  RequestTimeoutError,
  toOperationError,
} from './errors.js';
import type { DisconnectReason, SessionEvents } from './events.js';
import { createLogger, type Logger } from './logger.js';
import type { ResolvedSessionOptions } from './options.js';
import { Publisher, type PublisherOptions } from './Publisher.js';
import { Stream } from './Stream.js';
import { Subscriber, type SubscriberOptions } from './Subscriber.js';
import { type Joined, join } from './session/join.js';
import type { RequestFailure, SessionLink } from './session/link.js';
import { checkSignalOptions, type SignalOptions, signalError, signalEvent } from './session/signals.js';
import type { RaptorReply } from './signaling/raptor-channel.js';
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
  readonly #connections = new Map<string, Connection>();
  readonly #streams = new Map<string, Stream>();
  readonly #publishers = new Map<string, Publisher>();
  readonly #subscribers = new Map<string, Subscriber>();
  #state: SessionState = 'disconnected';
  #joined: Joined | null = null;
  #connectionId: string | null = null;
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
      connectionId: this.#connectionId,
    }));
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
    return this.#connectionId === null ? null : (this.#connections.get(this.#connectionId) ?? null);
  }

  /** What the client's token allows (all 0 before connecting). */
  get capabilities(): Capabilities {
    return capabilitiesOf(this.connection);
  }

  /** Every connection in the session, the client's own included. */
  get connections(): ReadonlyMap<string, Connection> {
    return this.#connections;
  }

  /** Every stream of other clients in the session. */
  get streams(): ReadonlyMap<string, Stream> {
    return this.#streams;
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
    this.#connectionId = connectionId;
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
        onMessage: (message, from) => this.#onMessage(message, from),
      });
    } catch (error) {
      this.#state = 'disconnected';
      this.#connectionId = null;
      this.#connections.clear();
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
    });
    joined.socket.on('closed', (reason) => {
      if (reason === 'networkDisconnected') this.#terminate('networkDisconnected');
    });
    for (const hash of joined.state.connection) this.#addConnection(hash, false);
    const streams: Stream[] = [];
    for (const hash of joined.state.stream) {
      const stream = this.#addStream(hash);
      if (stream) streams.push(stream);
    }
    this.#state = 'connected';
    this.#log.info('connected', { connections: this.#connections.size, streams: streams.length });
    this.emit('sessionConnected', {
      type: 'sessionConnected',
      connections: [...this.#connections.values()],
      streams,
    });
    for (const connection of this.#connections.values()) {
      this.emit('connectionCreated', { type: 'connectionCreated', connection });
    }
    for (const stream of streams) this.emit('streamCreated', { type: 'streamCreated', stream });
    for (const archive of joined.state.archive) {
      if (archive.status === 'started') this.#emitArchive('archiveStarted', archive);
    }
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
    this.#publishers.set(publisher.streamId, publisher);
    publisher.once('destroyed', () => this.#publishers.delete(publisher.streamId));
    if (this.#forceMuted) publisher.publishAudio(false);
    await publisher.publishTo(link, () => this.connection);
    return publisher;
  }

  /** Unpublishes a publisher of this session and releases its media. */
  async unpublish(publisher: Publisher): Promise<void> {
    if (!(publisher instanceof Publisher))
      throw new InvalidParameterError('publisher', 'must be a Publisher of this session');
    if (this.#publishers.get(publisher.streamId) !== publisher) return;
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
    if (!this.#streams.has(stream.streamId)) {
      throw new ParleyClientError(
        ErrorCode.UnableToSubscribe,
        'OT_STREAM_NOT_FOUND',
        `stream ${stream.streamId} is not in the session`,
      );
    }
    const subscriber = new Subscriber(link, stream, options);
    this.#subscribers.set(subscriber.id, subscriber);
    subscriber.once('destroyed', () => this.#subscribers.delete(subscriber.id));
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
    return this.#publishers.get(typeof stream === 'string' ? stream : stream.streamId);
  }

  /** This client's subscribers of a stream. */
  getSubscribersForStream(stream: Stream | string): Subscriber[] {
    const id = typeof stream === 'string' ? stream : stream.streamId;
    return [...this.#subscribers.values()].filter((subscriber) => subscriber.stream.streamId === id);
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
    const pairs: [RaptorKey, string][] = signal.to
      ? [
          ['connection', signal.to],
          ['signal', this.#newId()],
        ]
      : [['signal', this.#newId()]];
    const content: Record<string, unknown> = {};
    if (signal.type !== '') content.type = signal.type;
    if (signal.data !== '') content.data = signal.data;
    try {
      await joined.channel.request(
        { method: 'signal', uri: this.#uri(...pairs), content },
        {
          failWhileReconnecting: !signal.retryAfterReconnect,
          onTimeout: (ms) => new RequestTimeoutError(ErrorCode.UnableToSignal, 'signal', ms),
        },
      );
    } catch (error) {
      const converted = toOperationError(error, ErrorCode.UnableToSignal, 'OT_UNABLE_TO_SIGNAL', 'signal');
      throw converted.name === 'OT_UNABLE_TO_SIGNAL' && converted.status !== undefined
        ? signalError(converted.status, converted.message, error)
        : converted;
    }
  }

  /** Disconnects another client (moderators). Rejects with `OT_UNABLE_TO_FORCE_DISCONNECT` (1520). */
  async forceDisconnect(connection: Connection | string): Promise<void> {
    const id = idOf(connection, 'connection');
    await this.#moderate(
      'forcedisconnect',
      'delete',
      this.#uri(['connection', id]),
      {},
      {
        code: ErrorCode.UnableToForceDisconnect,
        name: 'OT_UNABLE_TO_FORCE_DISCONNECT',
        operation: 'forceDisconnect',
      },
    );
  }

  /** Stops another client's stream (moderators). Rejects with `OT_UNABLE_TO_FORCE_UNPUBLISH` (1530). */
  async forceUnpublish(stream: Stream | string): Promise<void> {
    const id = idOf(stream, 'stream');
    await this.#moderate(
      'forceunpublish',
      'delete',
      this.#uri(['stream', id]),
      {},
      {
        code: ErrorCode.UnableToForceUnpublish,
        name: 'OT_UNABLE_TO_FORCE_UNPUBLISH',
        operation: 'forceUnpublish',
      },
    );
  }

  /** Mutes one stream's audio (moderators). Rejects with `OT_UNABLE_TO_FORCE_MUTE` (1540). */
  async forceMuteStream(stream: Stream | string): Promise<void> {
    const id = idOf(stream, 'stream');
    await this.#moderate(
      'forcemute',
      'update',
      this.#uri(['stream', id]),
      { reason: 'mute', channels: ['audio'], active: true, locked: false },
      { code: ErrorCode.UnableToForceMute, name: 'OT_UNABLE_TO_FORCE_MUTE', operation: 'forceMuteStream' },
    );
  }

  /** Mutes every stream's audio except `excludedStreams`, and later publishers too (moderators). */
  async forceMuteAll(excludedStreams: (Stream | string)[] = []): Promise<void> {
    if (!Array.isArray(excludedStreams))
      throw new InvalidParameterError('excludedStreams', 'must be an array of streams');
    const exclusion = excludedStreams.map((stream) => idOf(stream, 'excludedStreams[]'));
    await this.#moderate(
      'forcemute',
      'update',
      this.#uri(),
      { reason: 'mute', channels: ['audio'], active: true, locked: false, exclusion },
      { code: ErrorCode.UnableToForceMute, name: 'OT_UNABLE_TO_FORCE_MUTE', operation: 'forceMuteAll' },
    );
  }

  /** Ends a `forceMuteAll` (moderators). */
  async disableForceMute(): Promise<void> {
    await this.#moderate(
      'forcemute',
      'update',
      this.#uri(),
      { reason: 'mute', channels: ['audio'], active: false, locked: false },
      { code: ErrorCode.UnableToForceMute, name: 'OT_UNABLE_TO_FORCE_MUTE', operation: 'disableForceMute' },
    );
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
    const connectionId = this.#connectionId;
    if (!joined || connectionId === null) return null;
    return {
      sessionId: this.sessionId,
      connectionId,
      info: joined.info,
      options: this.#options,
      logger: this.#log,
      e2ee: this.#e2ee,
      uri: (...pairs) => this.#uri(...pairs),
      request: (method, uri, content, failure) => this.#request(method, uri, content, failure),
      notify: (method, uri, content) => {
        this.#request(method, uri, content, {
          code: ErrorCode.JsException,
          name: 'OT_CANCEL',
          operation: method,
        }).catch((error: unknown) =>
          this.#log.debug('request failed', { method, uri, error: String(error) }),
        );
      },
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

  async #moderate(
    permission: Permission,
    method: string,
    uri: string,
    content: Record<string, unknown>,
    failure: RequestFailure,
  ): Promise<void> {
    this.#requireLink(failure.operation);
    this.#requirePermission(permission, failure.code, failure.name, failure.operation);
    await this.#request(method, uri, content, failure);
  }

  async #request(
    method: string,
    uri: string,
    content: Record<string, unknown>,
    failure: RequestFailure,
  ): Promise<RaptorReply> {
    const joined = this.#joined;
    if (!joined) throw notConnected(failure.operation);
    try {
      return await joined.channel.request(
        { method, uri, content },
        { onTimeout: (ms) => new RequestTimeoutError(failure.code, failure.operation, ms) },
      );
    } catch (error) {
      throw toOperationError(error, failure.code, failure.name, failure.operation);
    }
  }

  #uri(...pairs: [RaptorKey, string][]): string {
    const info: ClientSessionInfo | undefined = this.#joined?.info;
    return buildRaptorUri(info?.partnerId ?? this.projectId, info?.sessionId ?? this.sessionId, ...pairs);
  }

  #newId(): string {
    return crypto.randomUUID();
  }

  #onMessage(message: RaptorMessage, from: string): void {
    const uri = parseRaptorUri(message.uri);
    if (!uri) {
      this.#log.debug('ignoring a message with an unknown URI', { uri: message.uri });
      return;
    }
    const streamId = uri.params.stream;
    const subscriberId = uri.params.subscriber;
    switch (uri.resource) {
      case 'connection':
        this.#onConnectionMessage(message, uri);
        return;
      case 'stream':
      case 'stream_channel':
        if (streamId !== undefined && this.#publishers.has(streamId)) {
          this.#publishers.get(streamId)?.handle(message, uri, from);
          return;
        }
        this.#onStreamMessage(message, uri);
        return;
      case 'subscriber':
      case 'subscriber_channel': {
        const subscriber = subscriberId === undefined ? undefined : this.#subscribers.get(subscriberId);
        if (subscriber) subscriber.handle(message, uri);
        else if (streamId !== undefined) this.#publishers.get(streamId)?.handle(message, uri, from);
        return;
      }
      case 'signal':
        if (message.method === 'signal') {
          const sender = from === '' ? null : (this.#connections.get(from) ?? null);
          const event = signalEvent(message.content, sender);
          this.emit('signal', event);
          if (event.type !== 'signal') this.emit(event.type as `signal:${string}`, event);
        }
        return;
      case 'session':
        if (message.method === 'update' && message.content.reason === 'mute')
          this.#onSessionMute(message.content);
        return;
      case 'archive':
        if (message.method === 'created') this.#emitArchive('archiveStarted', message.content);
        else if (message.method === 'updated' && message.content.status === 'stopped') {
          this.#emitArchive('archiveStopped', {
            ...message.content,
            id: message.content.id ?? uri.params.archive,
          });
        }
        return;
      default:
        this.#log.debug('ignoring a message', { method: message.method, resource: uri.resource });
    }
  }

  #onConnectionMessage(message: RaptorMessage, uri: RaptorUri): void {
    const id = uri.params.connection as string;
    if (message.method === 'created') {
      this.#addConnection(
        { ...message.content, id },
        this.#state === 'connected' || this.#state === 'reconnecting',
      );
    } else if (message.method === 'deleted') {
      const reason = (message.reason ?? 'clientDisconnected') as DisconnectReason;
      if (id === this.#connectionId) {
        this.#joined?.socket.disconnect();
        this.#terminate(reason);
        return;
      }
      const connection = this.#connections.get(id);
      if (!connection) return;
      this.#connections.delete(id);
      this.emit('connectionDestroyed', { type: 'connectionDestroyed', connection, reason });
    }
  }

  #onStreamMessage(message: RaptorMessage, uri: RaptorUri): void {
    const id = uri.params.stream as string;
    if (uri.resource === 'stream_channel') {
      const stream = this.#streams.get(id);
      if (!stream || message.method !== 'updated') return;
      for (const change of stream.applyChannel({ ...message.content, id: uri.params.channel })) {
        this.emit('streamPropertyChanged', { type: 'streamPropertyChanged', stream, ...change });
        if (change.changedProperty === 'hasVideo') {
          for (const subscriber of this.getSubscribersForStream(stream))
            subscriber.onStreamVideoChanged(change.newValue === true);
        }
      }
      return;
    }
    if (message.method === 'created') {
      const stream = this.#addStream({ ...message.content, id });
      if (stream) this.emit('streamCreated', { type: 'streamCreated', stream });
    } else if (message.method === 'deleted') {
      const stream = this.#streams.get(id);
      if (!stream) return;
      this.#streams.delete(id);
      const reason = message.reason ?? 'clientDisconnected';
      for (const subscriber of this.getSubscribersForStream(stream)) subscriber.destroy(reason, false);
      this.emit('streamDestroyed', { type: 'streamDestroyed', stream, reason });
    } else if (message.method === 'updated' && typeof message.content.name === 'string') {
      const stream = this.#streams.get(id);
      if (!stream || stream.name === message.content.name) return;
      const oldValue = stream.name;
      stream.name = message.content.name;
      this.emit('streamPropertyChanged', {
        type: 'streamPropertyChanged',
        stream,
        changedProperty: 'name',
        oldValue,
        newValue: stream.name,
      });
    }
  }

  #onSessionMute(content: Record<string, unknown>): void {
    const active = content.active !== false;
    this.#forceMuted = active;
    this.emit('muteForced', { type: 'muteForced', active });
    if (!active) return;
    const excluded = new Set(Array.isArray(content.exclusion) ? content.exclusion : []);
    for (const [streamId, publisher] of this.#publishers) {
      if (!excluded.has(streamId)) publisher.forceMute();
    }
  }

  #addConnection(hash: Record<string, unknown>, announce: boolean): Connection | null {
    if (typeof hash.id !== 'string' || hash.id.startsWith('symphony.')) return null;
    const existing = this.#connections.get(hash.id);
    if (existing) return existing;
    const connection = Connection.fromHash(hash as { id: string });
    this.#connections.set(connection.connectionId, connection);
    if (announce) this.emit('connectionCreated', { type: 'connectionCreated', connection });
    return connection;
  }

  #addStream(hash: Record<string, unknown>): Stream | null {
    if (typeof hash.id !== 'string' || this.#streams.has(hash.id) || this.#publishers.has(hash.id))
      return null;
    const owner = hash.connection as Record<string, unknown> | undefined;
    const ownerId = typeof owner?.id === 'string' ? owner.id : hash.connectionId;
    if (typeof ownerId !== 'string') return null;
    if (ownerId === this.#connectionId) return null;
    const connection = this.#connections.get(ownerId) ?? (owner ? this.#addConnection(owner, false) : null);
    if (!connection) return null;
    const stream = new Stream(hash as never, connection);
    this.#streams.set(stream.streamId, stream);
    return stream;
  }

  #emitArchive(type: 'archiveStarted' | 'archiveStopped', content: Record<string, unknown>): void {
    this.emit(type, {
      type,
      id: String(content.id ?? ''),
      name: typeof content.name === 'string' ? content.name : '',
    });
  }

  #terminate(reason: DisconnectReason): void {
    if (this.#state === 'disconnected') return;
    this.#state = 'disconnected';
    const joined = this.#joined;
    this.#joined = null;
    joined?.channel.close();
    for (const publisher of [...this.#publishers.values()]) publisher.destroy(reason, false);
    for (const subscriber of [...this.#subscribers.values()])
      subscriber.destroy('sessionDisconnected', false);
    this.#e2ee?.close();
    this.#e2ee = null;
    this.#connections.clear();
    this.#streams.clear();
    this.#connectionId = null;
    this.#forceMuted = false;
    this.#log.info('disconnected', { reason });
    this.emit('sessionDisconnected', { type: 'sessionDisconnected', reason });
  }
}

function idOf(target: { connectionId?: string; streamId?: string } | string, field: string): string {
  if (typeof target === 'string' && target !== '') return target;
  if (target instanceof Connection) return target.connectionId;
  if (target instanceof Stream) return target.streamId;
  throw new InvalidParameterError(field, 'must be a Connection, a Stream or an ID string');
}
