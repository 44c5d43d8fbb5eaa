/**
 * A consumer: one producer forwarded to one subscriber through a sendonly werift sender.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@parley/events';
import {
  ReceiverEstimatedMaxBitrate,
  type RTCRtpSender,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSrPacket,
  type RtpPacket,
} from 'werift';
import type { Consumer, ConsumerEvents, ConsumerStats, MediaKind, RtpCodec } from '../types.js';
import type { SubscriberFeedback } from './bitrate-estimator.js';
import type { RtpSink } from './forwarding.js';
import { acquireKeyFrameLimiter, type KeyFrameRequestLimiter } from './keyframe-requests.js';
import { NackResponder } from './nack-responder.js';
import type { WeriftProducer } from './producer.js';
import { SenderInternals } from './sender-internals.js';

/** The FMT of a Full Intra Request in payload-specific feedback (RFC 5104 §4.3.1; werift does not export it). */
const FIR_FORMAT = 4;

/** Internal events: the owning transport drops a closed consumer from its list on `@close`. */
type InternalConsumerEvents = ConsumerEvents & { '@close': [] };

/** A werift consumer. */
export class WeriftConsumer extends TypedEmitter<InternalConsumerEvents> implements Consumer, RtpSink {
  readonly id = randomUUID();
  readonly producerId: string;
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
  readonly #sender: RTCRtpSender;
  /** Shared by every consumer of the producer: at most one keyframe request per 500 ms reaches it. */
  readonly #keyFrames: KeyFrameRequestLimiter;
  readonly #isConnected: () => boolean;
  readonly #detach: () => void;
  /** Video: answers the subscriber's NACKs from the producer's history; `undefined` for audio. */
  readonly #nack: NackResponder | undefined;
  readonly #internals: SenderInternals;
  /** Video: this subscriber's REMB, receiver reports and NACKs, fed to the producer's REMB estimate. */
  readonly #feedback: SubscriberFeedback | undefined;
  /** Set until the first packet after a (re)start: the NACK responder must learn the sender's offsets. */
  #rebase = true;
  #paused: boolean;
  #producerPaused: boolean;
  #closed = false;
  /** Set when forwarding resumes: the sender must re-base sequence numbers and timestamps. */
  #discontinuity = false;
  readonly #stats: ConsumerStats = {
    packetsOut: 0,
    bytesOut: 0,
    packetsDropped: 0,
    keyFrameRequests: 0,
    packetsRetransmitted: 0,
  };

  /**
   * @param codec - the subscriber leg's codec (the producer's, with this leg's payload type).
   * @param isConnected - whether the transport can carry media (packets before that are not counted).
   */
  constructor(
    producer: WeriftProducer,
    sender: RTCRtpSender,
    codec: RtpCodec,
    options: { paused: boolean; isConnected: () => boolean },
  ) {
    super();
    this.#sender = sender;
    this.#isConnected = options.isConnected;
    this.producerId = producer.id;
    this.kind = producer.kind;
    this.codec = codec;
    this.#paused = options.paused;
    this.#producerPaused = producer.paused;

    const onPause = (): void => this.#onProducerPause();
    const onResume = (): void => this.#onProducerResume();
    const onClose = (): void => this.#onProducerClose();
    producer.on('pause', onPause).on('resume', onResume).on('@close', onClose);
    const keyFrames = acquireKeyFrameLimiter(producer);
    this.#keyFrames = keyFrames.limiter;
    const onKeyFrameRequest = (): void => {
      this.#stats.keyFrameRequests++;
      this.requestKeyFrame();
    };
    const pli = sender.onPictureLossIndication.subscribe(onKeyFrameRequest);
    // werift's sender surfaces PLI but not FIR (RFC 5104), which some receivers send instead.
    const fir = sender.onRtcp.subscribe((rtcp) => {
      if (rtcp instanceof RtcpPayloadSpecificFeedback && rtcp.feedback.count === FIR_FORMAT) {
        onKeyFrameRequest();
      }
    });
    this.#internals = new SenderInternals(sender);
    const history = producer.history;
    this.#nack = history ? new NackResponder(history, this.#internals) : undefined;
    const restoreNacks = this.#nack
      ? this.#internals.interceptNacks((nack) => this.#onNack(nack.lost))
      : undefined;
    this.#feedback = producer.bitrateEstimator?.addSubscriber(() => this.#stats.packetsOut);
    this.#feedback?.setActive(!this.#paused && !this.#producerPaused);
    const feedback = this.#feedback ? sender.onRtcp.subscribe((rtcp) => this.#onFeedback(rtcp)) : undefined;
    producer.addSink(this);
    this.#detach = () => {
      producer.off('pause', onPause).off('resume', onResume).off('@close', onClose);
      pli.unSubscribe();
      fir.unSubscribe();
      feedback?.unSubscribe();
      restoreNacks?.();
      this.#feedback?.close();
      producer.removeSink(this);
      keyFrames.release();
    };
  }

  get paused(): boolean {
    return this.#paused;
  }

  get producerPaused(): boolean {
    return this.#producerPaused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stats(): ConsumerStats {
    return { ...this.#stats };
  }

  pause(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.#feedback?.setActive(false);
    this.emit('pause');
  }

  resume(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#discontinuity = true;
    this.#feedback?.setActive(!this.#producerPaused);
    this.emit('resume');
    if (!this.#producerPaused) this.requestKeyFrame();
  }

  /** Asks the publisher for a keyframe, through the producer's shared rate limit. */
  requestKeyFrame(): void {
    if (this.#closed) return;
    this.#keyFrames.request();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    this.emit('close');
    this.emit('@close');
  }

  /** Engine-internal: the transport closed. */
  transportClosed(): void {
    if (this.#closed) return;
    this.emit('transportclose');
    this.close();
  }

  /** Forwards one producer packet, unless this consumer or its producer is paused. */
  deliver(packet: RtpPacket): void {
    if (this.#paused || this.#producerPaused) {
      this.#stats.packetsDropped++;
      return;
    }
    if (!this.#isConnected()) return;
    if (this.#discontinuity) {
      // Continue the subscriber's sequence numbers and timestamps across the gap, so its jitter buffer
      // does not wait for (and NACK) the packets that were never sent.
      this.#discontinuity = false;
      this.#rebase = true;
      this.#sender.replaceRTP(packet.header);
    }
    this.#stats.packetsOut++;
    this.#stats.bytesOut += packet.payload.length;
    // werift's sender rewrites the header synchronously, before its first await: its offsets are
    // current once this call returns.
    this.#sender.sendRtp(packet).catch(() => {
      // A send fails only when DTLS is going away; the transport's state change reports that.
    });
    const nack = this.#nack;
    if (nack === undefined) return;
    if (this.#rebase) {
      this.#rebase = false;
      const internals = this.#internals;
      nack.startEpoch(packet.header.sequenceNumber, internals.seqOffset, internals.timestampOffset);
    } else {
      nack.packetSent();
    }
  }

  #onNack(lost: readonly number[]): void {
    const nack = this.#nack;
    if (nack === undefined || this.#closed) return;
    const { retransmitted, distinct } = nack.stats;
    nack.handleNack(lost);
    this.#stats.packetsRetransmitted += nack.stats.retransmitted - retransmitted;
    this.#feedback?.nacked(nack.stats.distinct - distinct);
  }

  /** The subscriber's REMB and receiver reports for this stream, for the producer's REMB estimate. */
  #onFeedback(rtcp: RtcpPacket): void {
    const feedback = this.#feedback;
    if (feedback === undefined) return;
    if (rtcp instanceof RtcpPayloadSpecificFeedback && rtcp.feedback instanceof ReceiverEstimatedMaxBitrate) {
      feedback.remb(Number(rtcp.feedback.bitrate));
    } else if (rtcp instanceof RtcpRrPacket || rtcp instanceof RtcpSrPacket) {
      const ssrc = this.#internals.ssrc;
      for (const report of rtcp.reports) {
        if (report.ssrc === ssrc) feedback.receiverReport(report.packetsLost, report.highestSequence);
      }
    }
  }

  #onProducerPause(): void {
    if (this.#producerPaused) return;
    this.#producerPaused = true;
    this.#feedback?.setActive(false);
    this.emit('producerpause');
  }

  #onProducerResume(): void {
    if (!this.#producerPaused) return;
    this.#producerPaused = false;
    this.#discontinuity = true;
    this.#feedback?.setActive(!this.#paused);
    this.emit('producerresume');
  }

  #onProducerClose(): void {
    if (this.#closed) return;
    this.emit('producerclose');
    this.close();
  }
}
