/**
 * A consumer: one producer forwarded to one subscriber through a sendonly werift sender.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@parley/events';
import { type RTCRtpSender, RtcpPayloadSpecificFeedback, type RtpPacket } from 'werift';
import type { Consumer, ConsumerEvents, ConsumerStats, MediaKind, RtpCodec } from '../types.js';
import type { RtpSink } from './forwarding.js';
import { acquireKeyFrameLimiter, type KeyFrameRequestLimiter } from './keyframe-requests.js';
import type { WeriftProducer } from './producer.js';

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
  #paused: boolean;
  #producerPaused: boolean;
  #closed = false;
  /** Set when forwarding resumes: the sender must re-base sequence numbers and timestamps. */
  #discontinuity = false;
  readonly #stats: ConsumerStats = { packetsOut: 0, bytesOut: 0, packetsDropped: 0, keyFrameRequests: 0 };

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
    producer.addSink(this);
    this.#detach = () => {
      producer.off('pause', onPause).off('resume', onResume).off('@close', onClose);
      pli.unSubscribe();
      fir.unSubscribe();
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
    this.emit('pause');
  }

  resume(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#discontinuity = true;
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
      this.#sender.replaceRTP(packet.header);
    }
    this.#stats.packetsOut++;
    this.#stats.bytesOut += packet.payload.length;
    this.#sender.sendRtp(packet).catch(() => {
      // A send fails only when DTLS is going away; the transport's state change reports that.
    });
  }

  #onProducerPause(): void {
    if (this.#producerPaused) return;
    this.#producerPaused = true;
    this.emit('producerpause');
  }

  #onProducerResume(): void {
    if (!this.#producerPaused) return;
    this.#producerPaused = false;
    this.#discontinuity = true;
    this.emit('producerresume');
  }

  #onProducerClose(): void {
    if (this.#closed) return;
    this.emit('producerclose');
    this.close();
  }
}
