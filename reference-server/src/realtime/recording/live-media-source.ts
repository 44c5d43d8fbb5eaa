/**
 * The {@link MediaSource} of one live routed session: its announced streams as the recording pipeline
 * sees them, kept current from the session's events, and their RTP through producer taps.
 *
 * A subscription outlives the producer it started on: when a track is renegotiated (a new producer for
 * the same kind) the tap moves to the new producer, and a subscription made before the track exists
 * starts when it appears. It ends when the caller ends it, the stream is removed or the source closes.
 */
import { TypedEmitter } from '@parley/events';
import type {
  MediaSource,
  MediaSourceEvents,
  RtpSink,
  SourceStream,
  SourceTrack,
} from '../../recording/media-source.js';
import type { MediaKind, Producer } from '../../sfu/types.js';
import type { StreamProducers } from '../media/types.js';
import type { LiveSession } from '../session/live-session.js';
import { type LiveStream, streamVideoType } from '../session/types.js';

/** One caller's subscription to one track. */
interface TrackSubscription {
  readonly kind: MediaKind;
  readonly sink: RtpSink;
  /** The producer tapped now, and how to stop; null while the stream has no such track. */
  tapped: { producer: Producer; untap: () => void } | null;
}

/** What the source keeps per announced stream. */
interface WatchedStream {
  view: SourceStream;
  /** The producers whose pause/resume/close events are watched, with how to stop watching. */
  readonly watched: Map<Producer, () => void>;
  readonly subscriptions: Set<TrackSubscription>;
}

/** See the file comment. Created and fed by {@link LiveMediaSources}. */
export class LiveMediaSource extends TypedEmitter<MediaSourceEvents> implements MediaSource {
  readonly sessionId: string;
  #session: LiveSession;
  #producers: StreamProducers;
  readonly #streams = new Map<string, WatchedStream>();
  readonly #onProducer = (streamId: string): void => this.streamChanged(streamId);
  #closed = false;

  constructor(session: LiveSession, producers: StreamProducers) {
    super();
    this.sessionId = session.sessionId;
    this.#session = session;
    this.#producers = producers;
    producers.on('producer', this.#onProducer);
    for (const stream of session.streams) if (stream.announced) this.#add(stream);
  }

  /** Whether the source has closed (its session ended); a closed source never emits again. */
  get closed(): boolean {
    return this.#closed;
  }

  connectionCount(): number {
    return this.#session.connectedCount;
  }

  streams(): readonly SourceStream[] {
    return [...this.#streams.values()].map((entry) => entry.view);
  }

  subscribe(streamId: string, kind: MediaKind, sink: RtpSink): () => void {
    const entry = this.#streams.get(streamId);
    if (!entry || this.#closed) return () => undefined;
    const subscription: TrackSubscription = { kind, sink, tapped: null };
    entry.subscriptions.add(subscription);
    this.#retap(streamId, subscription);
    return () => {
      entry.subscriptions.delete(subscription);
      subscription.tapped?.untap();
      subscription.tapped = null;
    };
  }

  requestKeyFrame(streamId: string): void {
    this.#producer(streamId, 'video')?.requestKeyFrame();
  }

  // ── Fed by the provider ────────────────────────────────────────────────────────────────────────

  /** A stream was announced (its media flows). */
  streamAnnounced(stream: LiveStream): void {
    if (this.#closed || this.#streams.has(stream.id)) return;
    const entry = this.#add(stream);
    this.emit('streamAdded', entry.view);
  }

  /**
   * Something about a stream changed (channels, layout classes, a producer's pause state or a new
   * producer): recompute its view and emit `streamUpdated` when the recording pipeline would see a
   * difference.
   */
  streamChanged(streamId: string): void {
    const entry = this.#streams.get(streamId);
    const stream = this.#session.stream(streamId);
    if (this.#closed || !entry || !stream) return;
    this.#watchProducers(streamId, entry);
    for (const subscription of entry.subscriptions) this.#retap(streamId, subscription);
    const view = this.#view(stream);
    if (sameView(entry.view, view)) return;
    entry.view = view;
    this.emit('streamUpdated', view);
  }

  /** A stream ended. */
  streamEnded(streamId: string): void {
    const entry = this.#streams.get(streamId);
    if (!entry) return;
    this.#release(entry);
    this.#streams.delete(streamId);
    if (!this.#closed) this.emit('streamRemoved', streamId);
  }

  /**
   * Moves the source to a new live session object of the same session ID (clients came back after the
   * old one was dropped). Only called while the source has no stream: every stream ended with the old
   * session's last client.
   */
  rebind(session: LiveSession, producers: StreamProducers): void {
    if (this.#closed || session === this.#session) return;
    for (const entry of this.#streams.values()) this.#release(entry);
    this.#streams.clear();
    this.#producers.off('producer', this.#onProducer);
    this.#session = session;
    this.#producers = producers;
    producers.on('producer', this.#onProducer);
    for (const stream of session.streams) if (stream.announced) this.streamAnnounced(stream);
  }

  /** Whether this source reads from that live session object. */
  isBoundTo(session: LiveSession): boolean {
    return this.#session === session;
  }

  /** A client joined or left. */
  connectionsChanged(): void {
    if (!this.#closed) this.emit('connectionCountChanged', this.connectionCount());
  }

  /** The session ended: everything stops, `close` is emitted once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#producers.off('producer', this.#onProducer);
    for (const entry of this.#streams.values()) this.#release(entry);
    this.#streams.clear();
    this.emit('close');
  }

  // ── Internals ──────────────────────────────────────────────────────────────────────────────────

  #add(stream: LiveStream): WatchedStream {
    const entry: WatchedStream = { view: this.#view(stream), watched: new Map(), subscriptions: new Set() };
    this.#streams.set(stream.id, entry);
    this.#watchProducers(stream.id, entry);
    return entry;
  }

  /** Follows the pause state and closing of the stream's current producers. */
  #watchProducers(streamId: string, entry: WatchedStream): void {
    const current = new Set(this.#producers.of(streamId));
    for (const [producer, unwatch] of entry.watched) {
      if (current.has(producer)) continue;
      unwatch();
      entry.watched.delete(producer);
    }
    for (const producer of current) {
      if (entry.watched.has(producer)) continue;
      const changed = (): void => this.streamChanged(streamId);
      producer.on('pause', changed).on('resume', changed).on('close', changed);
      entry.watched.set(producer, () =>
        producer.off('pause', changed).off('resume', changed).off('close', changed),
      );
    }
  }

  /** Points a subscription at the stream's current producer of its kind (or at none). */
  #retap(streamId: string, subscription: TrackSubscription): void {
    const producer = this.#producer(streamId, subscription.kind) ?? null;
    if (subscription.tapped?.producer === producer) return;
    subscription.tapped?.untap();
    subscription.tapped = producer ? { producer, untap: producer.tap(subscription.sink) } : null;
  }

  #release(entry: WatchedStream): void {
    for (const unwatch of entry.watched.values()) unwatch();
    entry.watched.clear();
    for (const subscription of entry.subscriptions) {
      subscription.tapped?.untap();
      subscription.tapped = null;
    }
    entry.subscriptions.clear();
  }

  #producer(streamId: string, kind: MediaKind): Producer | undefined {
    return this.#producers.of(streamId).find((p) => p.kind === kind);
  }

  #view(stream: LiveStream): SourceStream {
    const audioProducer = this.#producer(stream.id, 'audio');
    const videoProducer = this.#producer(stream.id, 'video');
    const audio: SourceTrack | null = audioProducer ? { kind: 'audio', codec: audioProducer.codec } : null;
    const video: SourceTrack | null = videoProducer ? { kind: 'video', codec: videoProducer.codec } : null;
    return {
      streamId: stream.id,
      connectionId: stream.connectionId,
      connectionData: this.#session.connection(stream.connectionId)?.data ?? '',
      videoType: streamVideoType(stream) ?? 'camera',
      layoutClassList: [...stream.layoutClassList],
      createdAt: stream.creationTime,
      audio,
      video,
      // A paused audio producer is a forced mute: nothing of it may reach a recording.
      audioActive: audio !== null && channelActive(stream, 'audio') && !audioProducer?.paused,
      videoActive: video !== null && channelActive(stream, 'video'),
    };
  }
}

/** Whether the stream's channel of a type is on (publishAudio/publishVideo); true when not described. */
function channelActive(stream: LiveStream, type: 'audio' | 'video'): boolean {
  for (const channel of stream.channels.values()) if (channel.type === type) return channel.active;
  return true;
}

function sameView(a: SourceStream, b: SourceStream): boolean {
  return (
    a.videoType === b.videoType &&
    a.audioActive === b.audioActive &&
    a.videoActive === b.videoActive &&
    sameTrack(a.audio, b.audio) &&
    sameTrack(a.video, b.video) &&
    a.layoutClassList.length === b.layoutClassList.length &&
    a.layoutClassList.every((value, i) => value === b.layoutClassList[i])
  );
}

function sameTrack(a: SourceTrack | null, b: SourceTrack | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.codec.mimeType === b.codec.mimeType &&
    a.codec.payloadType === b.codec.payloadType &&
    a.codec.parameters === b.codec.parameters
  );
}
