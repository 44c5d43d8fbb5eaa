/**
 * The media bridge of a live session: what happens to media when streams and subscribers come and go,
 * and where offers, answers and candidates go. Relayed sessions relay them between the clients; routed
 * sessions negotiate with the SFU.
 */
import type { EventSource, Producer } from '../../sfu/types.js';
import type { LiveConnection, LiveStream, LiveSubscriber } from '../session/types.js';

/**
 * A subscriber's preferred video (OpenTok `setPreferredResolution` / `setPreferredFrameRate`), as its
 * channel updates carry them. A field that is absent is unchanged; `0` or `null` clears it (no limit).
 */
export interface SubscriberVideoPreferences {
  preferredWidth?: number | null;
  preferredHeight?: number | null;
  preferredFrameRate?: number | null;
}

/** The JSEP methods clients exchange. */
export type JsepMethod = 'offer' | 'answer' | 'pranswer' | 'candidate';

/** A JSEP message from a client, on a stream URI (publisher ↔ server) or a subscriber URI. */
export interface JsepMessage {
  method: JsepMethod;
  from: LiveConnection;
  stream: LiveStream;
  /** The subscriber the message is about; null on a stream URI. */
  subscriber: LiveSubscriber | null;
  content: Record<string, unknown>;
}

/** Events of {@link StreamProducers}. */
export type StreamProducersEvents = {
  /** A track of a stream was negotiated (first offer or a renegotiation). */
  producer: [streamId: string, producer: Producer];
};

/** The SFU producers of a routed session's streams: what the recording pipeline taps. */
export interface StreamProducers extends EventSource<StreamProducersEvents> {
  /** The open producers of a stream (at most one per kind); empty until its publisher has negotiated. */
  of(streamId: string): readonly Producer[];
}

/** The media side of one live session. */
export interface MediaBridge {
  /** False when the bridge cannot carry media (a routed session without an SFU): publishing is refused. */
  readonly ready: boolean;
  /** The SFU producers of the session's streams; absent when its media does not pass through the server. */
  readonly producers?: StreamProducers;
  /**
   * A publisher created a stream and was answered. Relayed: the stream is announced at once. Routed: the
   * server asks the publisher for an offer and announces the stream once media flows.
   */
  streamCreated(stream: LiveStream, publisher: LiveConnection): void;
  /** A stream ended; release its media. */
  streamRemoved(stream: LiveStream): void;
  /** A client subscribed to a stream and was answered; start the negotiation. */
  subscriberCreated(stream: LiveStream, subscriber: LiveSubscriber): void;
  /** A subscription ended; release its media and tell whoever must know. */
  subscriberRemoved(stream: LiveStream, subscriber: LiveSubscriber): void;
  /**
   * A subscriber turned one of its channels on or off (`subscribeToAudio`/`subscribeToVideo`): a routed
   * session stops or resumes forwarding that track to it.
   */
  subscriberChannelChanged(
    stream: LiveStream,
    subscriber: LiveSubscriber,
    kind: 'audio' | 'video',
    active: boolean,
  ): void;
  /**
   * A subscriber changed its preferred resolution or frame rate: a routed session with simulcast forwards
   * the layer that fits (absent where the media does not pass through the server).
   */
  subscriberPreferencesChanged?(
    stream: LiveStream,
    subscriber: LiveSubscriber,
    preferences: SubscriberVideoPreferences,
  ): void;
  /**
   * A moderator force-muted the stream's audio (`muted` true), or its publisher re-enabled audio after a
   * forced mute (`muted` false). A routed session pauses the audio producer, so nothing reaches subscribers
   * even from a client that ignores the instruction; a relayed session carries no media and cannot.
   */
  audioForceMuted(stream: LiveStream, muted: boolean): void;
  /** Handles an offer, answer or candidate. Throws a `SignalingError` for one that does not belong. */
  jsep(message: JsepMessage): void | Promise<void>;
  /** Releases everything. Idempotent. */
  close(): void;
}
