/**
 * One live session: its connections, streams, subscribers, archives and force-mute state, and the fan-out
 * of every event to the connected clients with Vonage semantics. The gateway's request handlers and the
 * REST live operations both act through this class, so a client and the REST API see the same state.
 *
 * The class is the session's one entry point and orders what happens (media released before `deleted`,
 * streams ended before their connection, …); the bookkeeping sits beside it: who receives a message in
 * {@link ConnectionRoster}, the streams and ended-stream memory in {@link StreamRegistry}, force-mute in
 * {@link SessionModeration}, the recording archives in {@link SessionArchives} and the forwarded channel
 * attributes in `channel-update.ts`.
 */
import type { TypedEmitter } from '@parley/events';
import { buildRaptorUri, type RaptorKey } from '@parley/protocol';
import { SignalingError } from '../errors.js';
import type { MediaBridge } from '../media/types.js';
import { applyChannelUpdate } from './channel-update.js';
import { ConnectionRoster } from './connection-roster.js';
import type { LiveSessionEvents, MuteState } from './events.js';
import { archiveHash, connectionHash, streamHash } from './hashes.js';
import type { LiveSessionOptions, SessionProject } from './live-session-options.js';
import { SessionArchives } from './session-archives.js';
import { SessionModeration } from './session-moderation.js';
import { StreamRegistry } from './stream-registry.js';
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

export type { LiveSessionOptions, SessionProject } from './live-session-options.js';

/** The live state of one session. */
export class LiveSession {
  readonly sessionId: string;
  readonly project: SessionProject;
  readonly mediaMode: MediaMode;
  readonly e2ee: boolean;
  readonly serverAddress: string;
  readonly media: MediaBridge;
  readonly #connections: ConnectionRoster;
  readonly #streams = new StreamRegistry();
  readonly #archives: SessionArchives;
  readonly #moderation: SessionModeration;
  readonly #events: TypedEmitter<LiveSessionEvents>;
  readonly #now: () => number;
  #closed = false;

  constructor(options: LiveSessionOptions) {
    this.sessionId = options.sessionId;
    this.project = options.project;
    this.mediaMode = options.mediaMode;
    this.e2ee = options.e2ee;
    this.serverAddress = options.serverAddress;
    this.#events = options.events;
    this.#connections = new ConnectionRoster(options.maxConnections);
    this.#now = options.now ?? Date.now;
    this.#archives = new SessionArchives({
      roster: this.#connections,
      uri: (...pairs) => this.uri(...pairs),
    });
    this.media = options.createMedia(this);
    this.#moderation = new SessionModeration({
      roster: this.#connections,
      streams: this.#streams,
      media: this.media,
      uri: (...pairs) => this.uri(...pairs),
      muteChanged: (state) => this.#events.emit('muteChanged', this, state),
    });
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
    return this.#connections.all();
  }

  /** How many connections are connected (without copying the list: it runs on every join and leave). */
  get connectedCount(): number {
    return this.#connections.connectedCount();
  }

  /** Every stream, announced or not, in publish order. */
  get streams(): readonly LiveStream[] {
    return this.#streams.all();
  }

  /** The archives currently known to the session. */
  get archives(): readonly LiveArchive[] {
    return this.#archives.all();
  }

  /** The force-mute state. */
  get muteState(): MuteState {
    return this.#moderation.state;
  }

  /** Whether nothing keeps this session alive (no connections and no sticky state). */
  get idle(): boolean {
    return this.#connections.size === 0 && !this.#moderation.state.active;
  }

  /** The connection with this ID (connected or joining). */
  connection(id: string): LiveConnection | undefined {
    return this.#connections.get(id);
  }

  /** The stream with this ID (announced or not). */
  stream(id: string): LiveStream | undefined {
    return this.#streams.get(id);
  }

  /**
   * Adds a joining connection. Throws `ID_TAKEN` when the ID is in use and `CONNECTION_LIMIT` when the
   * session is full. The caller answers the client with {@link sessionState}, then calls
   * {@link announceConnection}.
   */
  addConnection(connection: LiveConnection): void {
    const first = this.#connections.add(connection);
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
      stream: this.#streams.announced().map((s) => streamHash(s, this.#publisherOf(s))),
      archive: this.archives.filter((a) => a.status === 'started').map(archiveHash),
    };
    // Mute-on-entry: OpenTok.js mutes every publisher it starts while the session is force-muted.
    if (this.#moderation.state.active) state.mute = { active: true };
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
    this.#connections.broadcastConnectionEvent(message, connection);
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
    for (const stream of this.#streams.all()) {
      if (stream.connectionId === id) this.removeStream(stream.id, reason);
    }
    const message: OutboundMessage = {
      method: 'deleted',
      uri: this.uri(['connection', id]),
      content: {},
      reason,
    };
    this.#connections.broadcastConnectionEvent(message, connection);
    connection.state = 'disconnected';
    this.#connections.delete(id);
    this.#events.emit('connectionDestroyed', this, connection, reason);
    if (reason === 'forceDisconnected') connection.endpoint.close(1000, 'forceDisconnected');
    if (this.#connections.size === 0) {
      this.#events.emit('sessionEnded', this, this.#closed ? 'forceDisconnected' : null);
    }
    return true;
  }

  /** Adds a stream published by a connection (not yet announced). Throws `ID_TAKEN` for a used ID. */
  addStream(stream: LiveStream): void {
    this.#streams.add(stream);
  }

  /** Whether a new stream must start muted (the session is force-muted and the stream not excluded). */
  mutesOnEntry(streamId: string): boolean {
    return this.#moderation.mutesOnEntry(streamId);
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
    this.#connections.broadcast({
      method: 'created',
      uri: this.uri(['stream', stream.id]),
      content: streamHash(stream, publisher),
    });
    this.#events.emit('streamCreated', this, stream, publisher);
    if (this.#moderation.mutesOnEntry(stream.id)) this.#moderation.forceMuteStream(stream.id);
  }

  /**
   * Ends a stream: `deleted` with the reason to every client, subscriptions dropped, media released.
   * Returns false when there is no such stream.
   */
  removeStream(streamId: string, reason: StreamEndReason): boolean {
    const stream = this.#streams.remove(streamId);
    if (!stream) return false;
    this.#moderation.streamRemoved(streamId);
    const publisher = this.#publisherOf(stream);
    stream.subscribers.clear();
    this.media.streamRemoved(stream);
    if (stream.announced) {
      this.#connections.broadcast({
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
    const changed = applyChannelUpdate(channel, attributes);
    // The publisher itself turned its audio back on: the forced mute is over, media may flow again.
    if (channel.type === 'audio' && changed.active === true) this.#moderation.audioReenabled(stream);
    if (!stream.announced || Object.keys(changed).length === 0) return;
    this.#connections.broadcast({
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
    return this.#streams.recentlyEnded(streamId);
  }

  /** Adds a subscription. Throws `ID_TAKEN` when the subscriber ID is in use on the stream. */
  addSubscriber(stream: LiveStream, subscriber: LiveSubscriber): void {
    this.#streams.assertSubscriberIdFree(subscriber.id);
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
    if (to) return this.#connections.sendTo(to, message);
    this.#connections.broadcast(message);
    return true;
  }

  /**
   * Force-mutes one stream's audio: its publisher gets `muteForced` and mutes, and the media bridge stops
   * the audio (routed) until the publisher re-enables it with a channel update (`active: true`).
   */
  forceMuteStream(streamId: string): boolean {
    return this.#moderation.forceMuteStream(streamId);
  }

  /**
   * Turns the session's force-mute on (muting every stream not excluded, now and on entry) or off (later
   * streams are no longer muted; muted ones stay muted). `requester` (a moderator's connection) is not
   * told about its own request.
   */
  setMuteAll(active: boolean, excludedStreamIds: readonly string[] = [], requester?: LiveConnection): void {
    this.#moderation.setMuteAll(active, excludedStreamIds, requester);
  }

  /** Records an archive's state and tells every client (`archiveStarted` / `archiveStopped`). */
  setArchive(archive: LiveArchive): void {
    this.#archives.set(archive);
  }

  /**
   * Replaces the archives known to the session without telling anyone: for a session (re)opened while
   * archives were already recording it, so joining clients find them in their session state.
   */
  restoreArchives(archives: readonly LiveArchive[]): void {
    this.#archives.restore(archives);
  }

  /** Sends a message to one connected client; returns false when it is not connected. */
  sendTo(connectionId: string, message: OutboundMessage): boolean {
    return this.#connections.sendTo(connectionId, message);
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

  #publisherOf(stream: LiveStream): LiveConnection {
    const publisher = this.#connections.get(stream.connectionId);
    // Streams are removed before their connection, so a stream without its publisher is a bug.
    if (!publisher) throw new Error(`Stream ${stream.id} outlived its connection ${stream.connectionId}`);
    return publisher;
  }
}
