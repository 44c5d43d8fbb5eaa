/**
 * Producers and consumers: the tracks an engine receives from publishers and forwards to subscribers, with
 * their events, counters and simulcast layers. Part of the engine interface described in `../types.ts`.
 */
import type { EventSource, MediaKind, RtpCodec } from './common.js';

/** Packet and byte counters of one producer (what the engine received from the publisher). */
export interface ProducerStats {
  /** RTP packets received from the publisher (retransmissions included). */
  packetsIn: number;
  /** RTP payload bytes received. */
  bytesIn: number;
  /** Keyframe requests (PLI) sent to the publisher. */
  keyFrameRequests: number;
}

/** Packet and byte counters of one consumer (what the engine sent to the subscriber). */
export interface ConsumerStats {
  /** RTP packets forwarded to the subscriber. */
  packetsOut: number;
  /** RTP payload bytes forwarded. */
  bytesOut: number;
  /** Packets not forwarded because the consumer or its producer was paused. */
  packetsDropped: number;
  /** Keyframe requests (PLI) received from the subscriber. */
  keyFrameRequests: number;
  /** Packets resent (as RTX when negotiated) in answer to the subscriber's NACKs. */
  packetsRetransmitted: number;
}

/** Events of a {@link Producer}. */
export type ProducerEvents = {
  /** The producer closed (for any reason). Emitted once. */
  close: [];
  /** The producer closed because its transport closed. Emitted before `close`. */
  transportclose: [];
  /** Forwarding stopped (forced mute). */
  pause: [];
  /** Forwarding resumed. */
  resume: [];
};

/**
 * Receives a producer's RTP packets through {@link Producer.tap}: whole packets, header included, as
 * received from the publisher after SRTP decryption (header extensions may be present). The buffer is
 * shared by every tap of the producer (it is never copied per tap): a tap must not modify it, and copies
 * it to keep it beyond the call.
 */
export type ProducerTap = (packet: Buffer) => void;

/** One audio or video track received from a publisher. */
export interface Producer extends EventSource<ProducerEvents> {
  /** Unique within the engine. */
  readonly id: string;
  readonly kind: MediaKind;
  /** The codec the publisher sends; every consumer of this producer is pinned to the same codec. */
  readonly codec: RtpCodec;
  /** The stream this producer belongs to. */
  readonly streamId: string;
  readonly paused: boolean;
  readonly closed: boolean;
  /** Counters for metrics and tests. Out-of-process engines may lag by their stats interval. */
  readonly stats: ProducerStats;
  /**
   * Stops forwarding this track to every consumer: no packet of it reaches any subscriber until
   * {@link resume}. This is what a forced audio mute calls.
   */
  pause(): void;
  /** Resumes forwarding, and asks the publisher for a keyframe so video recovers at once. */
  resume(): void;
  /** Asks the publisher for a keyframe (RTCP PLI). No-op on audio. */
  requestKeyFrame(): void;
  /**
   * Hands every packet of this track to `tap` (mediasoup's `DirectTransport` idea), for the recording
   * pipeline: until the returned function is called or the producer closes. Like consumers, taps get
   * nothing while the producer is paused (a forced mute must silence recordings too). Costs nothing while
   * no tap is attached; an out-of-process engine sends packets across its IPC channel only while a tap
   * exists, so they may arrive a few milliseconds late.
   */
  tap(tap: ProducerTap): () => void;
  /** Closes the producer and every consumer of it. Idempotent. */
  close(): void;
}

/**
 * What a subscriber wants of a simulcast video (OpenTok `setPreferredResolution` and
 * `setPreferredFrameRate`). An absent field sets no limit.
 */
export interface VideoLayerPreferences {
  /** The largest frame width wanted, in pixels. */
  maxWidth?: number;
  /** The largest frame height wanted, in pixels. */
  maxHeight?: number;
  /** The highest frame rate wanted, in frames per second. */
  maxFrameRate?: number;
}

/** One simulcast layer of a video producer, as measured by the engine. */
export interface VideoLayer {
  /** Its rank among the producer's layers, 0 being the lowest quality. */
  index: number;
  /** The `a=rid` of a RID-simulcast layer. */
  rid?: string;
  /** The publisher's SSRC of the layer, once seen. */
  ssrc?: number;
  /** The frame size, once seen in a keyframe (VP8) or a sequence parameter set (H.264). */
  width?: number;
  height?: number;
  /** Measured frames per second. */
  frameRate?: number;
  /** Measured bits per second. */
  bitrate: number;
}

/** Events of a {@link Consumer}. */
export type ConsumerEvents = {
  /**
   * Simulcast: the subscriber now receives another layer (the switch happened on a keyframe of it).
   * Emitted for the first layer too.
   */
  layerchange: [layer: VideoLayer];
  /**
   * Simulcast congestion hint: `false` when video to this subscriber stopped because even the lowest
   * layer does not fit its bandwidth, `true` when the engine tries it again. The gateway tells the client
   * (OpenTok's "subscriber video disabled/enabled" hint).
   */
  congestion: [videoEnabled: boolean];
  /** The consumer closed (for any reason). Emitted once. */
  close: [];
  /** The consumer closed because its producer closed. Emitted before `close`. */
  producerclose: [];
  /** The consumer closed because its transport closed. Emitted before `close`. */
  transportclose: [];
  /** The consumer was paused. */
  pause: [];
  /** The consumer was resumed. */
  resume: [];
  /** The producer was paused (forced mute): nothing is forwarded whatever this consumer's state. */
  producerpause: [];
  /** The producer was resumed. */
  producerresume: [];
};

/** One producer forwarded to one subscriber. */
export interface Consumer extends EventSource<ConsumerEvents> {
  readonly id: string;
  readonly producerId: string;
  readonly kind: MediaKind;
  /** The codec on the subscriber's leg: always the producer's codec (payload type may differ). */
  readonly codec: RtpCodec;
  /** Paused by the subscriber (subscribeToAudio/Video false). */
  readonly paused: boolean;
  /** The producer is paused (forced mute). */
  readonly producerPaused: boolean;
  readonly closed: boolean;
  /** Counters for metrics and tests. */
  readonly stats: ConsumerStats;
  /** Stops forwarding to this subscriber (subscribeToVideo(false) / subscribeToAudio(false)). */
  pause(): void;
  /** Resumes forwarding; for video also asks the publisher for a keyframe. */
  resume(): void;
  /** Asks the producer's publisher for a keyframe. */
  requestKeyFrame(): void;
  /** Simulcast video: the layer forwarded now; null before the first one or while paused by congestion. */
  readonly currentLayer: VideoLayer | null;
  /**
   * Sets the subscriber's preferred resolution and frame rate: a simulcast video consumer forwards the
   * highest layer within them that its bandwidth allows. Replaces the previous preferences; without
   * simulcast it has no effect. Throws an `SfuError` (`INVALID_ARGUMENT`) naming a field that is not a
   * positive number.
   */
  setPreferredLayers(preferences: VideoLayerPreferences): void;
  /** Closes the consumer. Idempotent. */
  close(): void;
}
