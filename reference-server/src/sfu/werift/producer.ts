/**
 * A producer: one track received from a publisher, fanned out to its consumers.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@parley/events';
import type { MediaStreamTrack, RTCRtpReceiver, RtpPacket } from 'werift';
import type { MediaKind, Producer, ProducerEvents, ProducerStats, ProducerTap, RtpCodec } from '../types.js';
import { SubscriberFeedbackEstimator } from './bitrate-estimator.js';
import { RtpFanout, type RtpSink } from './forwarding.js';
import { acquireKeyFrameLimiter } from './keyframe-requests.js';
import { installNackGenerator } from './nack-generator.js';
import { RtpPacketHistory } from './rtp-history.js';

/** Internal events: the owner drops a closed producer from its list on `@close`. */
type InternalProducerEvents = ProducerEvents & { '@close': [] };

/**
 * Keyframe requests closer together than this are coalesced: the keyframe answering the first one
 * serves the others (several subscribers joining at once would otherwise trigger a burst of keyframes).
 */
const KEYFRAME_REQUEST_INTERVAL_MS = 100;

/** The werift pieces a producer reads from. */
export interface ProducerSource {
  track: MediaStreamTrack;
  receiver: RTCRtpReceiver;
}

/** A werift producer. */
export class WeriftProducer extends TypedEmitter<InternalProducerEvents> implements Producer {
  readonly id = randomUUID();
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
  readonly streamId: string;
  readonly #receiver: RTCRtpReceiver;
  readonly #fanout = new RtpFanout();
  /** The recording taps; the packet is serialised once for all of them, and only while there are any. */
  readonly #taps = new Set<ProducerTap>();
  readonly #unsubscribe: () => void;
  /** The SSRC the publisher sends on; learnt from RTP because simulcast rid tracks have none up front. */
  #mediaSsrc: number | undefined;
  #paused = false;
  #closed = false;
  #lastKeyFrameRequest = Number.NEGATIVE_INFINITY;
  /**
   * Video only (NACK is negotiated for video): the recent packets, from which consumers answer their
   * subscribers' NACKs, and the REMB estimate their feedback drives.
   */
  readonly #history: RtpPacketHistory | undefined;
  readonly #bitrate: SubscriberFeedbackEstimator | undefined;
  /** Releases the producer's hold on its keyframe limiter (video). */
  readonly #releaseKeyFrames: (() => void) | undefined;
  readonly #stats: ProducerStats = { packetsIn: 0, bytesIn: 0, keyFrameRequests: 0 };

  /** @param maxBitrate - the configured `publisherMaxBitrate`: the ceiling of this producer's REMB. */
  constructor(
    streamId: string,
    kind: MediaKind,
    codec: RtpCodec,
    source: ProducerSource,
    maxBitrate: number,
  ) {
    super();
    this.streamId = streamId;
    this.kind = kind;
    this.codec = codec;
    if (kind === 'video') {
      this.#history = new RtpPacketHistory();
      this.#bitrate = new SubscriberFeedbackEstimator({ maxBitrate });
      // A packet the publisher never repaired leaves a hole only a keyframe fixes: ask (rate-limited).
      const keyFrames = acquireKeyFrameLimiter(this);
      this.#releaseKeyFrames = keyFrames.release;
      installNackGenerator(source.receiver, () => keyFrames.limiter.request());
    }
    this.#receiver = source.receiver;
    this.#mediaSsrc = source.track.ssrc;
    const { unSubscribe } = source.track.onReceiveRtp.subscribe((packet) => this.#onRtp(packet));
    this.#unsubscribe = unSubscribe;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stats(): ProducerStats {
    return { ...this.#stats };
  }

  /** Engine-internal: the recent packets (video only), for answering subscribers' NACKs. */
  get history(): RtpPacketHistory | undefined {
    return this.#history;
  }

  /** Engine-internal: the REMB estimator its consumers feed (video only). */
  get bitrateEstimator(): SubscriberFeedbackEstimator | undefined {
    return this.#bitrate;
  }

  /** The publisher's SSRC for this track, once known (engine-internal: REMB lists it). */
  get mediaSsrc(): number | undefined {
    return this.#mediaSsrc;
  }

  pause(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.emit('pause');
  }

  resume(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.emit('resume');
    this.requestKeyFrame();
  }

  requestKeyFrame(): void {
    if (this.#closed || this.kind !== 'video' || this.#mediaSsrc === undefined) return;
    const now = performance.now();
    if (now - this.#lastKeyFrameRequest < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.#lastKeyFrameRequest = now;
    this.#stats.keyFrameRequests++;
    void this.#receiver.sendRtcpPLI(this.#mediaSsrc);
  }

  tap(tap: ProducerTap): () => void {
    if (this.#closed) return () => undefined;
    // A wrapper per call, so the same function tapped twice is removed once per returned function.
    const entry: ProducerTap = (packet) => tap(packet);
    this.#taps.add(entry);
    return () => {
      this.#taps.delete(entry);
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#fanout.clear();
    this.#taps.clear();
    this.#history?.clear();
    this.#releaseKeyFrames?.();
    this.emit('close');
    this.emit('@close');
  }

  /** Engine-internal: adds a consumer's sink. */
  addSink(sink: RtpSink): void {
    this.#fanout.add(sink);
  }

  /** Engine-internal: removes a consumer's sink. */
  removeSink(sink: RtpSink): void {
    this.#fanout.delete(sink);
  }

  /** Engine-internal: the transport closed. */
  transportClosed(): void {
    if (this.#closed) return;
    this.emit('transportclose');
    this.close();
  }

  #onRtp(packet: RtpPacket): void {
    if (this.#closed) return;
    this.#stats.packetsIn++;
    this.#stats.bytesIn += packet.payload.length;
    // A packet already forwarded: Chrome probes bandwidth by resending old packets as RTX ("redundant
    // payloads"), and a retransmission can race a late original. Forwarding it again would hand every
    // subscriber a packet far behind its stream (which inflated their reported loss to 50–66 % in the
    // lossy-relay test) for nothing.
    if (this.#history?.get(packet.header.sequenceNumber) !== undefined) return;
    if (this.#mediaSsrc === undefined) {
      this.#mediaSsrc = packet.header.ssrc;
      // A subscriber may have asked for a keyframe before the first packet told us where to send it.
      if (this.#fanout.size > 0) this.requestKeyFrame();
    }
    // Before forwarding: the fan-out strips header extensions and senders may rewrite the header.
    if (this.#taps.size > 0 && !this.#paused) this.#deliverToTaps(packet);
    // Consumers drop the packet themselves while this producer is paused, and count it as dropped.
    this.#fanout.forward(packet);
    // After the fan-out stripped its header extensions: a retransmission carries only the subscriber's.
    this.#history?.put(packet);
  }

  #deliverToTaps(packet: RtpPacket): void {
    const raw = packet.serialize();
    for (const tap of this.#taps) {
      try {
        tap(raw);
      } catch (error) {
        // A failing recorder must never break forwarding to the session's subscribers.
        this.emit('listenerError', error, 'tap');
      }
    }
  }
}
