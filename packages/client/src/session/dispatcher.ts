/**
 * Routes the server's Raptor messages (OpenTok.js's `SessionDispatcher`): connection and stream
 * announcements become session events, negotiation and moderation messages about this client's own
 * streams go to its publishers and subscribers, and signals, session mutes and archive changes become
 * their events, and live captions go to the subscribers of their stream. Messages this client cannot place
 * are logged at `debug` and dropped, as OpenTok.js does.
 */
import type { TypedEmitter } from '@parley/events';
import { parseRaptorUri, type RaptorMessage, type RaptorUri } from '@parley/protocol';
import type { DisconnectReason, SessionEvents } from '../events.js';
import type { Logger } from '../logger.js';
import type { Stream } from '../Stream.js';
import { CAPTION_CHANNEL, parseCaption } from './captions.js';
import type { SessionState } from './join.js';
import type { SessionRoster } from './roster.js';
import { signalEvent } from './signals.js';

/** What the dispatcher needs from its session. */
export interface DispatcherHost {
  /** The session's participants. */
  readonly roster: SessionRoster;
  /** Where session events go (the session itself). */
  readonly events: TypedEmitter<SessionEvents>;
  readonly logger: Logger;
  /** Whether the session has joined (connected or reconnecting): later connections are announced. */
  isJoined(): boolean;
  /** The server ended this client's own connection (`forceDisconnected`, …). */
  ownConnectionDeleted(reason: DisconnectReason): void;
  /** A session-wide force mute started (`true`) or ended; later publishers start muted meanwhile. */
  sessionMuted(active: boolean): void;
}

/** Turns server messages into session events and routes the rest to publishers and subscribers. */
export class SessionDispatcher {
  readonly #host: DispatcherHost;
  /** Streams that sent a malformed caption already (warned about once). */
  readonly #malformedCaptionStreams = new Set<string>();

  constructor(host: DispatcherHost) {
    this.#host = host;
  }

  /** Loads the session state of a join into the roster; returns the streams of others already there. */
  load(state: SessionState): Stream[] {
    const { roster } = this.#host;
    for (const hash of state.connection) roster.addConnection(hash);
    const streams: Stream[] = [];
    for (const hash of state.stream) {
      const stream = roster.addStream(hash);
      if (stream) streams.push(stream);
    }
    return streams;
  }

  /**
   * Emits what a join found, in OpenTok.js's order: `sessionConnected`, then `connectionCreated` for
   * every connection (the client's own included), `streamCreated` for every stream, and
   * `archiveStarted` for an archive already recording.
   */
  announceJoin(state: SessionState, streams: Stream[]): void {
    const { roster, events } = this.#host;
    const connections = [...roster.connections.values()];
    events.emit('sessionConnected', { type: 'sessionConnected', connections, streams });
    for (const connection of connections) {
      events.emit('connectionCreated', { type: 'connectionCreated', connection });
    }
    for (const stream of streams) events.emit('streamCreated', { type: 'streamCreated', stream });
    for (const archive of state.archive) {
      if (archive.status === 'started') this.#emitArchive('archiveStarted', archive);
    }
  }

  /** Routes one server message; `from` is its `X-TB-FROM-ADDRESS` (empty for the server itself). */
  dispatch(message: RaptorMessage, from: string): void {
    const uri = parseRaptorUri(message.uri);
    if (!uri) {
      this.#host.logger.debug('ignoring a message with an unknown URI', { uri: message.uri });
      return;
    }
    const { publishers, subscribers } = this.#host.roster;
    const streamId = uri.params.stream;
    const subscriberId = uri.params.subscriber;
    switch (uri.resource) {
      case 'connection':
        this.#onConnection(message, uri);
        return;
      case 'stream':
      case 'stream_channel': {
        // Messages about the client's own stream (negotiation, moderation) belong to its publisher.
        const publisher = streamId === undefined ? undefined : publishers.get(streamId);
        if (publisher) publisher.handle(message, uri, from);
        else this.#onStream(message, uri);
        return;
      }
      case 'subscriber':
      case 'subscriber_channel': {
        // A subscriber's own negotiation, or (relayed) another client's subscriber of our stream.
        const subscriber = subscriberId === undefined ? undefined : subscribers.get(subscriberId);
        if (subscriber) subscriber.handle(message, uri);
        else if (streamId !== undefined) publishers.get(streamId)?.handle(message, uri, from);
        return;
      }
      case 'signal':
        if (message.method === 'signal') this.#onSignal(message, from);
        return;
      case 'session':
        if (message.method === 'update' && message.content.reason === 'mute')
          this.#onSessionMute(message.content);
        return;
      case 'archive':
        this.#onArchive(message, uri);
        return;
      case 'data':
        if (message.method === 'data' && uri.params.channel === CAPTION_CHANNEL && streamId !== undefined)
          this.#onCaption(message, streamId);
        else this.#host.logger.debug('ignoring a data message', { uri: message.uri });
        return;
      default:
        this.#host.logger.debug('ignoring a message', { method: message.method, resource: uri.resource });
    }
  }

  #onConnection(message: RaptorMessage, uri: RaptorUri): void {
    const { roster, events } = this.#host;
    const id = uri.params.connection as string;
    if (message.method === 'created') {
      const added = roster.addConnection({ ...message.content, id });
      if (added?.added && this.#host.isJoined()) {
        events.emit('connectionCreated', { type: 'connectionCreated', connection: added.connection });
      }
    } else if (message.method === 'deleted') {
      const reason = (message.reason ?? 'clientDisconnected') as DisconnectReason;
      if (id === roster.ownConnectionId) {
        this.#host.ownConnectionDeleted(reason);
        return;
      }
      const connection = roster.connections.get(id);
      if (!connection) return;
      roster.connections.delete(id);
      events.emit('connectionDestroyed', { type: 'connectionDestroyed', connection, reason });
    }
  }

  #onStream(message: RaptorMessage, uri: RaptorUri): void {
    const { roster, events } = this.#host;
    const id = uri.params.stream as string;
    if (uri.resource === 'stream_channel') {
      this.#onStreamChannel(message, uri);
      return;
    }
    if (message.method === 'created') {
      const stream = roster.addStream({ ...message.content, id });
      if (stream) events.emit('streamCreated', { type: 'streamCreated', stream });
    } else if (message.method === 'deleted') {
      const stream = roster.streams.get(id);
      if (!stream) return;
      roster.streams.delete(id);
      const reason = message.reason ?? 'clientDisconnected';
      for (const subscriber of roster.subscribersOf(id)) subscriber.destroy(reason, false);
      events.emit('streamDestroyed', { type: 'streamDestroyed', stream, reason });
    } else if (message.method === 'updated' && typeof message.content.name === 'string') {
      const stream = roster.streams.get(id);
      if (!stream || stream.name === message.content.name) return;
      const oldValue = stream.name;
      stream.name = message.content.name;
      events.emit('streamPropertyChanged', {
        type: 'streamPropertyChanged',
        stream,
        changedProperty: 'name',
        oldValue,
        newValue: stream.name,
      });
    }
  }

  #onStreamChannel(message: RaptorMessage, uri: RaptorUri): void {
    const { roster, events } = this.#host;
    const stream = roster.streams.get(uri.params.stream as string);
    if (!stream || message.method !== 'updated') return;
    for (const change of stream.applyChannel({ ...message.content, id: uri.params.channel })) {
      events.emit('streamPropertyChanged', { type: 'streamPropertyChanged', stream, ...change });
      if (change.changedProperty === 'hasVideo') {
        for (const subscriber of roster.subscribersOf(stream.streamId))
          subscriber.onStreamVideoChanged(change.newValue === true);
      }
    }
  }

  #onSignal(message: RaptorMessage, from: string): void {
    const { roster, events } = this.#host;
    // An empty from-address is a signal sent by the server (REST), which OpenTok.js reports as from null.
    const sender = from === '' ? null : (roster.connections.get(from) ?? null);
    const event = signalEvent(message.content, sender);
    events.emit('signal', event);
    if (event.type !== 'signal') events.emit(event.type as `signal:${string}`, event);
  }

  /** A live caption: every subscriber of the stream gets it, and those with captions on emit it. */
  #onCaption(message: RaptorMessage, streamId: string): void {
    const parsed = parseCaption(message.content, streamId);
    if ('invalid' in parsed) {
      // Captions come several times a second: warn once per stream, then keep the rest at debug.
      const first = !this.#malformedCaptionStreams.has(streamId);
      this.#malformedCaptionStreams.add(streamId);
      this.#host.logger[first ? 'warn' : 'debug']('ignoring a malformed caption', {
        streamId,
        problem: parsed.invalid,
      });
      return;
    }
    for (const subscriber of this.#host.roster.subscribersOf(streamId)) subscriber.onCaption(parsed.event);
  }

  #onSessionMute(content: Record<string, unknown>): void {
    const active = content.active !== false;
    this.#host.sessionMuted(active);
    this.#host.events.emit('muteForced', { type: 'muteForced', active });
    if (!active) return;
    const excluded = new Set(Array.isArray(content.exclusion) ? content.exclusion : []);
    for (const [streamId, publisher] of this.#host.roster.publishers) {
      if (!excluded.has(streamId)) publisher.forceMute();
    }
  }

  #onArchive(message: RaptorMessage, uri: RaptorUri): void {
    if (message.method === 'created') this.#emitArchive('archiveStarted', message.content);
    else if (message.method === 'updated' && message.content.status === 'stopped') {
      this.#emitArchive('archiveStopped', {
        ...message.content,
        id: message.content.id ?? uri.params.archive,
      });
    }
  }

  #emitArchive(type: 'archiveStarted' | 'archiveStopped', content: Record<string, unknown>): void {
    this.#host.events.emit(type, {
      type,
      id: String(content.id ?? ''),
      name: typeof content.name === 'string' ? content.name : '',
    });
  }
}
