/**
 * The headless participant interface: a client that joins a session the way OpenTok.js does (session
 * info over HTTP, then the Rumor/Raptor WebSocket) so the suite can drive operations that need live
 * connections — signals, force-disconnect, streams with real media, moderation, archives — against any
 * compatible target.
 */

import type { OfferDirection } from './media/media-sender.js';
import type { MediaKind } from './media/recording.js';
import type { PublisherStats, SubscriberStats } from './media/stats.js';

/** A connection as the signaling protocol describes it. */
export interface ParticipantConnection {
  id: string;
  creationTime?: number;
  data?: string;
  permissions?: string[];
}

/** A stream as the signaling protocol describes it. */
export interface ParticipantStream {
  id: string;
  name?: string;
  connectionId?: string;
  channel?: { id: string; type: string; active?: boolean }[];
}

/** Something that happened to a participant, in the order it happened. */
export type ParticipantEvent =
  | { kind: 'signal'; type: string; data: string; from: string | null }
  | { kind: 'connectionCreated'; connection: ParticipantConnection }
  | { kind: 'connectionDestroyed'; connectionId: string; reason: string | null }
  | { kind: 'streamCreated'; stream: ParticipantStream }
  | { kind: 'streamDestroyed'; streamId: string; reason: string | null }
  | { kind: 'muteForced'; streamId: string | null; active: boolean }
  /** A stream's channel changed (`updated …/stream/{sid}/channel/{ch}`): hasAudio, hasVideo, dimensions… */
  | { kind: 'streamPropertyChanged'; streamId: string; channelId: string; changes: Record<string, unknown> }
  /** The participant's own connection was deleted by the server, or its socket closed. */
  | { kind: 'sessionDisconnected'; reason: string | null };

/** Options of a signal. */
export interface SignalOptions {
  type?: string;
  data?: string;
  /** A connection ID; omit to signal the whole session. */
  to?: string;
}

/** Options of a publish. */
export interface PublishOptions {
  name?: string;
  /** Send audio (the Opus fixture). Default true. */
  hasAudio?: boolean;
  /** Send video (the VP8 fixture). Default true. */
  hasVideo?: boolean;
  /**
   * The direction of the offered m-sections: `sendrecv` (the default) is what OpenTok.js offers, since it
   * adds its tracks to default transceivers; `sendonly` is what a publisher means.
   */
  offerDirection?: OfferDirection;
  /** How long to wait for the stream to be announced; default 15 s (OpenTok.js's `PUBLISH_MAX_DELAY`). */
  timeoutMs?: number;
}

/**
 * A stream this participant publishes. It is the stream as the server announced it, plus its media:
 * the fixtures replay into a peer connection to the media server (routed sessions, after the target's
 * `generateoffer`) or into one peer connection per subscriber (relayed sessions).
 */
export interface PublishedStream extends ParticipantStream {
  /** What was sent so far, and the state of each peer connection. */
  stats(): PublisherStats;
  /** Turns the audio on or off, as `publisher.publishAudio()`: stops sending and updates the channel. */
  publishAudio(enabled: boolean): Promise<void>;
  /** Turns the video on or off, as `publisher.publishVideo()`. */
  publishVideo(enabled: boolean): Promise<void>;
  /** Resolves once some peer connection has sent at least `packets` packets of `kind`. */
  waitForSent(kind: MediaKind, packets: number, timeoutMs?: number): Promise<PublisherStats>;
  /** Unpublishes (`delete …/stream/{sid}`) and closes the peer connections. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Options of a subscribe. */
export interface SubscribeOptions {
  /** Subscribe to the audio. Default true. */
  subscribeToAudio?: boolean;
  /** Subscribe to the video. Default true. */
  subscribeToVideo?: boolean;
}

/**
 * A subscription to another participant's stream: one peer connection that counts what arrives. It stays
 * open when the stream ends, until {@link Subscription.stop} or the participant disconnects, so a test can
 * check that media stopped arriving.
 */
export interface Subscription {
  /** The subscriber ID the participant chose (as OpenTok.js does). */
  readonly id: string;
  readonly streamId: string;
  /** What arrived so far, per kind, with what was negotiated. */
  stats(): SubscriberStats;
  /**
   * Resolves once at least this many packets of each kind arrived (counting from the subscription's
   * start); rejects after `timeoutMs` (default 15 s) with the counts so far.
   */
  waitForPackets(minimum: Partial<Record<MediaKind, number>>, timeoutMs?: number): Promise<SubscriberStats>;
  /** Unsubscribes (`delete …/subscriber/{subId}`) and closes the peer connection. Safe to call more than once. */
  stop(): Promise<void>;
}

/** A client connected to a session. */
export interface Participant {
  /** The connection ID the participant chose (as OpenTok.js does). */
  readonly connectionId: string;
  readonly sessionId: string;
  /** The connections and streams the server reported at connect time. */
  readonly initialState: { connections: ParticipantConnection[]; streams: ParticipantStream[] };
  /** Every event so far. */
  readonly events: readonly ParticipantEvent[];
  /** Sends a signal; resolves on the server's 2xx STATUS, rejects with {@link ParticipantRequestError}. */
  signal(options: SignalOptions): Promise<void>;
  /**
   * Publishes a stream with real media (VP8 + Opus over WebRTC) and resolves once the server announces it
   * (`created …/stream/{sid}`), which routed servers do once the media connection is up.
   */
  publish(options?: PublishOptions): Promise<PublishedStream>;
  /**
   * Subscribes to a stream (`create …/stream/{sid}/subscriber/{subId}`); resolves on the server's STATUS.
   * The target then offers (routed: the media server; relayed: the publisher) and the participant answers.
   */
  subscribe(streamId: string, options?: SubscribeOptions): Promise<Subscription>;
  /** Unpublishes another client's stream (`delete …/stream/{sid}`), as `session.forceUnpublish()`. */
  forceUnpublish(streamId: string): Promise<void>;
  /** Resolves with the first event (already seen or future) matching `predicate`. */
  waitFor<K extends ParticipantEvent['kind']>(
    kind: K,
    predicate?: (event: Extract<ParticipantEvent, { kind: K }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<ParticipantEvent, { kind: K }>>;
  /** Leaves the session cleanly (DISCONNECT, then close 1000). Safe to call more than once. */
  disconnect(): Promise<void>;
}

/** A request the server answered with a non-2xx STATUS. */
export class ParticipantRequestError extends Error {
  override readonly name = 'ParticipantRequestError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Media failed: an offer or answer was refused, a peer connection failed, or packets did not arrive. */
export class ParticipantMediaError extends Error {
  override readonly name = 'ParticipantMediaError';
}

/** Joining failed: session info refused the token, the socket did not open, or connection create failed. */
export class ParticipantJoinError extends Error {
  override readonly name = 'ParticipantJoinError';
}
