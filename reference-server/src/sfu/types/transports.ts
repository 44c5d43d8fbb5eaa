/**
 * Transports: the publisher's leg to the engine and the engine's leg to each subscriber. Part of the engine
 * interface described in `../types.ts`.
 */
import type { EventSource, IceCandidate, TransportConnectionState } from './common.js';
import type { Router } from './engine.js';
import type { Consumer, Producer } from './media.js';

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
