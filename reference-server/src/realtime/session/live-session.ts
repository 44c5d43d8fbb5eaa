/**
 * One live session: its connections, streams, subscribers, archives and force-mute state, and the fan-out
 * of every event to the connected clients with Vonage semantics. The gateway's request handlers and the
 * REST live operations both act through this class, so a client and the REST API see the same state.
 */
import type { TypedEmitter } from '@parley/events';
import { buildRaptorUri, type RaptorKey } from '@parley/protocol';
import { SignalingError } from '../errors.js';
import type { MediaBridge } from '../media/types.js';
import type { LiveSessionEvents, MuteState } from './events.js';
import { archiveHash, connectionHash, streamHash } from './hashes.js';
import type {
  ConnectionEndReason,
  LiveArchive,
  LiveConnection,
  LiveStream,
  LiveSubscriber,
  MediaMode,
  OutboundMessage,
  StreamEndReason,
} from './types.js';

/** The channel attributes a publisher may change and OpenTok.js reads in `updated` messages. */
const CHANNEL_UPDATE_KEYS = [
  'active',
  'width',
  'height',
  'orientation',
  'frameRate',
  'fitMode',
  'source',
  'disableWarning',
] as const;

/** The project a live session belongs to. */
export interface SessionProject {
  applicationId: string;
  apiKey: string;
}

/** What a live session needs from its registry. */
export interface LiveSessionOptions {
  sessionId: string;
  project: SessionProject;
  mediaMode: MediaMode;
  /** Whether the session is end-to-end encrypted (publishers must agree). */
  e2ee: boolean;
  /** The address server messages come from (`symphony.…`). */
  serverAddress: string;
  maxConnections: number;
  events: TypedEmitter<LiveSessionEvents>;
  /** Builds the media bridge (relayed relay or routed SFU) for this session. */
  createMedia: (session: LiveSession) => MediaBridge;
  now?: () => number;
}

/** The live state of one session. */
export class LiveSession {
  readonly sessionId: string;
  readonly project: SessionProject;
  readonly mediaMode: MediaMode;
  readonly e2ee: boolean;
  readonly serverAddress: string;
  readonly media: MediaBridge;
  readonly #connections = new Map<string, LiveConnection>();
  readonly #streams = new Map<string, LiveStream>();
  readonly #archives = new Map<string, LiveArchive>();
  /** Recently ended stream IDs, so a late delete of an ended stream is not an error. */
  readonly #ended = new Set<string>();
  readonly #events: TypedEmitter<LiveSessionEvents>;
  readonly #maxConnections: number;
  readonly #now: () => number;
  #mute: MuteState = { active: false, excludedStreamIds: [] };
  /** Streams whose audio a moderator force-muted and whose publisher has not re-enabled it since. */
  readonly #audioForceMuted = new Set<string>();
  #closed = false;

  constructor(options: LiveSessionOptions) {
    this.sessionId = options.sessionId;
    this.project = options.project;
    this.mediaMode = options.mediaMode;
    this.e2ee = options.e2ee;
    this.serverAddress = options.serverAddress;
    this.#events = options.events;
    this.#maxConnections = options.maxConnections;
    this.#now = options.now ?? Date.now;
    this.media = options.createMedia(this);
  }

  /** The Raptor URI of the session or of a resource inside it. */
  uri(...pairs: [RaptorKey, string][]): string {
    return buildRaptorUri(this.project.apiKey, this.sessionId, ...pairs);
  }

  /** The current time, from the injected clock. */
  now(): number {
    return this.#now();
  }

  /** Every connection, in join order. */
  get connections(): readonly LiveConnection[] {
    return [...this.#connections.values()];
  }

  /** How many connections are connected (without copying the list: it runs on every join and leave). */
  get connectedCount(): number {
    let count = 0;
    for (const connection of this.#connections.values()) if (connection.state === 'connected') count++;
    return count;
  }

  /** Every stream, announced or not, in publish order. */
  get streams(): readonly LiveStream[] {
    return [...this.#streams.values()];
  }

  /** The archives currently known to the session. */
  get archives(): readonly LiveArchive[] {
    return [...this.#archives.values()];
  }

  /** The force-mute state. */
  get muteState(): MuteState {
    return this.#mute;
  }

  /** Whether nothing keeps this session alive (no connections and no sticky state). */
  get idle(): boolean {
    return this.#connections.size === 0 && !this.#mute.active;
  }

  connection(id: string): LiveConnection | undefined {
    return this.#connections.get(id);
  }

  stream(id: string): LiveStream | undefined {
    return this.#streams.get(id);
  }

  // ── Connections ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Adds a joining connection. Throws `ID_TAKEN` when the ID is in use and `CONNECTION_LIMIT` when the
   * session is full. The caller answers the client with {@link sessionState}, then calls
   * {@link announceConnection}.
   */
  addConnection(connection: LiveConnection): void {
    if (this.#connections.has(connection.id)) {
      throw new SignalingError('ID_TAKEN', `Connection ${connection.id} is already in the session`);
    }
    if (this.#connections.size >= this.#maxConnections) throw new SignalingError('CONNECTION_LIMIT');
    const first = this.#connections.size === 0;
    this.#connections.set(connection.id, connection);
    connection.state = 'connected';
    if (first) this.#events.emit('sessionStarted', this);
  }

  /** The session state a joining client receives in the reply to its connection create. */
  sessionState(joining: LiveConnection): Record<string, unknown> {
    const connections = joining.connectionEventsSuppressed
      ? [joining]
      : this.connections.filter((c) => c.state === 'connected');
    const state: Record<string, unknown> = {
      connection: connections.map(connectionHash),
      stream: this.#announcedStreams().map((s) => streamHash(s, this.#publisherOf(s))),
      archive: this.archives.filter((a) => a.status === 'started').map(archiveHash),
    };
    // Mute-on-entry: OpenTok.js mutes every publisher it starts while the session is force-muted.
    if (this.#mute.active) state.mute = { active: true };
    return state;
  }

  /**
   * Tells every client (the new one included) that a connection joined. One message object for all: the
   * gateway encodes it once.
   */
  announceConnection(connection: LiveConnection): void {
    const message: OutboundMessage = {
      method: 'created',
      uri: this.uri(['connection', connection.id]),
      content: connectionHash(connection),
    };
    for (const target of this.#connections.values()) {
      if (target.state !== 'connected') continue;
      if (target.connectionEventsSuppressed && target !== connection) continue;
      target.endpoint.send(message);
    }
    this.#events.emit('connectionCreated', this, connection);
  }

  /**
   * Ends a connection: its subscriptions and streams first, then `deleted` for the connection to every
   * client (the leaving one included, so a forced-out client learns why), then its transport when it
   * was forced out. Returns false when the connection was not in the session.
   */
  removeConnection(id: string, reason: ConnectionEndReason): boolean {
    const connection = this.#connections.get(id);
    if (!connection || connection.state === 'disconnected') return false;
    for (const stream of this.#streams.values()) {
      for (const subscriber of stream.subscribers.values()) {
        if (subscriber.connectionId === id) this.removeSubscriber(stream, subscriber.id);
      }
    }
    for (const stream of [...this.#streams.values()]) {
      if (stream.connectionId === id) this.removeStream(stream.id, reason);
    }
    const message: OutboundMessage = {
      method: 'deleted',
      uri: this.uri(['connection', id]),
      content: {},
      reason,
    };
    for (const target of this.#connections.values()) {
      if (target.state !== 'connected') continue;
      if (target.connectionEventsSuppressed && target !== connection) continue;
      target.endpoint.send(message);
    }
    connection.state = 'disconnected';
    this.#connections.delete(id);
    this.#events.emit('connectionDestroyed', this, connection, reason);
    if (reason === 'forceDisconnected') connection.endpoint.close(1000, 'forceDisconnected');
    if (this.#connections.size === 0) {
      this.#events.emit('sessionEnded', this, this.#closed ? 'forceDisconnected' : null);
    }
    return true;
  }

  // ── Streams ─────────────────────────────────────────────────────────────────────────────────────

  /** Adds a stream published by a connection (not yet announced). Throws `ID_TAKEN` for a used ID. */
  addStream(stream: LiveStream): void {
    if (this.#streams.has(stream.id)) {
      throw new SignalingError('ID_TAKEN', `Stream ${stream.id} is already in the session`);
    }
    this.#streams.set(stream.id, stream);
  }

  /** Whether a new stream must start muted (the session is force-muted and the stream not excluded). */
  mutesOnEntry(streamId: string): boolean {
    return this.#mute.active && !this.#mute.excludedStreamIds.includes(streamId);
  }

  /**
   * Announces a stream with `created` to every client (for its publisher this completes the publish),
   * then force-mutes it when the session is force-muted.
   */
  announceStream(streamId: string): void {
    const stream = this.#streams.get(streamId);
    if (!stream || stream.announced) return;
    const publisher = this.#publisherOf(stream);
    stream.announced = true;
    this.#broadcast({
      method: 'created',
      uri: this.uri(['stream', stream.id]),
      content: streamHash(stream, publisher),
    });
    this.#events.emit('streamCreated', this, stream, publisher);
    if (this.mutesOnEntry(stream.id)) this.forceMuteStream(stream.id);
  }

  /**
   * Ends a stream: `deleted` with the reason to every client, subscriptions dropped, media released.
   * Returns false when there is no such stream.
   */
  removeStream(streamId: string, reason: StreamEndReason): boolean {
    const stream = this.#streams.get(streamId);
    if (!stream) return false;
    this.#streams.delete(streamId);
    this.#audioForceMuted.delete(streamId);
    this.#ended.add(streamId);
    if (this.#ended.size > 1000) {
      const oldest = this.#ended.values().next().value;
      if (oldest !== undefined) this.#ended.delete(oldest);
    }
    const publisher = this.#publisherOf(stream);
    stream.subscribers.clear();
    this.media.streamRemoved(stream);
    if (stream.announced) {
      this.#broadcast({
        method: 'deleted',
        uri: this.uri(['stream', stream.id]),
        content: {},
        reason,
      });
      this.#events.emit('streamDestroyed', this, stream, publisher, reason);
    } else {
      // Only the publisher knew about it; its publish attempt fails.
      this.sendTo(publisher.id, {
        method: 'deleted',
        uri: this.uri(['stream', stream.id]),
        content: {},
        reason,
      });
    }
    return true;
  }

  /**
   * Applies a channel update from the publisher and broadcasts `updated` with the attributes it changed.
   * Only the attributes OpenTok.js knows are sent: it drops a whole update at the first key it does not know.
   */
  updateChannel(stream: LiveStream, channelId: string, attributes: Record<string, unknown>): void {
    const channel = stream.channels.get(channelId);
    if (!channel) throw new SignalingError('NOT_FOUND', `Stream ${stream.id} has no channel ${channelId}`);
    const changed: Record<string, unknown> = {};
    for (const key of CHANNEL_UPDATE_KEYS) {
      const value = attributes[key];
      if (value === undefined) continue;
      changed[key] = value;
      if (key === 'active') channel.active = value === true;
      else channel.attributes[key] = value;
    }
    // The publisher itself turned its audio back on: the forced mute is over, media may flow again.
    if (channel.type === 'audio' && changed.active === true && this.#audioForceMuted.delete(stream.id)) {
      this.media.audioForceMuted(stream, false);
    }
    if (!stream.announced || Object.keys(changed).length === 0) return;
    this.#broadcast({
      method: 'updated',
      uri: this.uri(['stream', stream.id], ['channel', channelId]),
      content: changed,
    });
    this.#events.emit('streamUpdated', this, stream);
  }

  /** Replaces layout class lists (already validated) and reports the change. */
  setLayoutClasses(updates: readonly { stream: LiveStream; layoutClassList: string[] }[]): void {
    for (const { stream, layoutClassList } of updates) stream.layoutClassList = layoutClassList;
    for (const { stream } of updates) this.#events.emit('streamUpdated', this, stream);
  }

  /** Whether a stream with this ID ended recently. */
  recentlyEnded(streamId: string): boolean {
    return this.#ended.has(streamId);
  }

  // ── Subscribers ─────────────────────────────────────────────────────────────────────────────────

  /** Adds a subscription. Throws `ID_TAKEN` when the subscriber ID is in use on the stream. */
  addSubscriber(stream: LiveStream, subscriber: LiveSubscriber): void {
    for (const other of this.#streams.values()) {
      if (other.subscribers.has(subscriber.id)) {
        throw new SignalingError('ID_TAKEN', `Subscriber ${subscriber.id} already exists`);
      }
    }
    stream.subscribers.set(subscriber.id, subscriber);
  }

  /** Removes a subscription and releases its media. Returns false when there is none. */
  removeSubscriber(stream: LiveStream, subscriberId: string): boolean {
    const subscriber = stream.subscribers.get(subscriberId);
    if (!subscriber) return false;
    stream.subscribers.delete(subscriberId);
    this.media.subscriberRemoved(stream, subscriber);
    return true;
  }

  // ── Signals and moderation ──────────────────────────────────────────────────────────────────────

  /**
   * Sends a signal (already validated) to one connection or to every client, the sender included.
   * `from` is the sending connection, or null for a server signal. Returns false when the target
   * connection is not connected.
   */
  signal(
    from: LiveConnection | null,
    to: string | null,
    type: string,
    data: string,
    signalId: string,
  ): boolean {
    const uri = to ? this.uri(['connection', to], ['signal', signalId]) : this.uri(['signal', signalId]);
    const message: OutboundMessage = { method: 'signal', uri, content: { type, data }, from: from?.id ?? '' };
    if (to) {
      const target = this.#connections.get(to);
      if (target?.state !== 'connected') return false;
      target.endpoint.send(message);
      return true;
    }
    this.#broadcast(message);
    return true;
  }

  /**
   * Force-mutes one stream's audio: its publisher gets `muteForced` and mutes, and the media bridge stops
   * the audio (routed) until the publisher re-enables it with a channel update (`active: true`).
   */
  forceMuteStream(streamId: string): boolean {
    const stream = this.#streams.get(streamId);
    if (!stream) return false;
    this.#audioForceMuted.add(stream.id);
    this.media.audioForceMuted(stream, true);
    this.sendTo(stream.connectionId, {
      method: 'update',
      uri: this.uri(['stream', stream.id]),
      content: { reason: 'mute', active: true, channels: ['audio'] },
    });
    return true;
  }

  /**
   * Turns the session's force-mute on (muting every stream not excluded, now and on entry) or off (later
   * streams are no longer muted; muted ones stay muted). `requester` (a moderator's connection) is not
   * told about its own request.
   */
  setMuteAll(active: boolean, excludedStreamIds: readonly string[] = [], requester?: LiveConnection): void {
    this.#mute = { active, excludedStreamIds: active ? [...new Set(excludedStreamIds)] : [] };
    const message: OutboundMessage = {
      method: 'update',
      uri: this.uri(),
      content: { reason: 'mute', active },
    };
    for (const target of this.#connections.values()) {
      if (target.state === 'connected' && target !== requester) target.endpoint.send(message);
    }
    if (active) {
      for (const stream of this.#announcedStreams()) {
        if (this.mutesOnEntry(stream.id)) this.forceMuteStream(stream.id);
      }
    }
    this.#events.emit('muteChanged', this, this.#mute);
  }

  // ── Archives ────────────────────────────────────────────────────────────────────────────────────

  /** Records an archive's state and tells every client (`archiveStarted` / `archiveStopped`). */
  setArchive(archive: LiveArchive): void {
    const known = this.#archives.has(archive.id);
    if (archive.status === 'stopped') this.#archives.delete(archive.id);
    else this.#archives.set(archive.id, archive);
    this.#broadcast({
      method: known || archive.status === 'stopped' ? 'updated' : 'created',
      uri: this.uri(['archive', archive.id]),
      content: archiveHash(archive),
    });
  }

  /**
   * Replaces the archives known to the session without telling anyone: for a session (re)opened while
   * archives were already recording it, so joining clients find them in their session state.
   */
  restoreArchives(archives: readonly LiveArchive[]): void {
    this.#archives.clear();
    for (const archive of archives) if (archive.status === 'started') this.#archives.set(archive.id, archive);
  }

  // ── Delivery ────────────────────────────────────────────────────────────────────────────────────

  /** Sends a message to one connected client; returns false when it is not connected. */
  sendTo(connectionId: string, message: OutboundMessage): boolean {
    const target = this.#connections.get(connectionId);
    if (target?.state !== 'connected') return false;
    target.endpoint.send(message);
    return true;
  }

  /**
   * Ends every connection (server shutdown or a session-wide failure) with `forceDisconnected`.
   * Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const connection of this.connections) this.removeConnection(connection.id, 'forceDisconnected');
    this.media.close();
  }

  /** Sends one message object to every connected client (its encoding is shared by all copies). */
  #broadcast(message: OutboundMessage): void {
    for (const target of this.#connections.values()) {
      if (target.state === 'connected') target.endpoint.send(message);
    }
  }

  #announcedStreams(): LiveStream[] {
    return [...this.#streams.values()].filter((s) => s.announced);
  }

  #publisherOf(stream: LiveStream): LiveConnection {
    const publisher = this.#connections.get(stream.connectionId);
    // Streams are removed before their connection, so a stream without its publisher is a bug.
    if (!publisher) throw new Error(`Stream ${stream.id} outlived its connection ${stream.connectionId}`);
    return publisher;
  }
}
