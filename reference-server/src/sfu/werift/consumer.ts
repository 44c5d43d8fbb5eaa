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
import { SfuError } from '../errors.js';
import type { NativeDatapath } from '../native/datapath.js';
import type {
  Consumer,
  ConsumerEvents,
  ConsumerStats,
  MediaKind,
  RtpCodec,
  VideoLayer,
  VideoLayerPreferences,
} from '../types.js';
import type { SubscriberFeedback } from './bitrate-estimator.js';
import { acquireKeyFrameLimiter, type KeyFrameRequestLimiter } from './keyframe-requests.js';
import { LayerSelector, VIDEO_PAUSED } from './layer-selector.js';
import { NackResponder } from './nack-responder.js';
import type { LayeredRtpSink, WeriftProducer } from './producer.js';
import type { ProducerLayer } from './producer-layer.js';
import { RtpEgress } from './rtp-egress.js';
import { RtpSequenceRewriter } from './rtp-rewriter.js';
import { SenderInternals } from './sender-internals.js';

/** How often a simulcast consumer re-evaluates its layer (the congestion signals change about as often). */
const LAYER_EVALUATION_INTERVAL_MS = 1_000;

/** The FMT of a Full Intra Request in payload-specific feedback (RFC 5104 §4.3.1; werift does not export it). */
const FIR_FORMAT = 4;

/** Internal events: the owning transport drops a closed consumer from its list on `@close`. */
type InternalConsumerEvents = ConsumerEvents & { '@close': [] };

/** A werift consumer. */
export class WeriftConsumer extends TypedEmitter<InternalConsumerEvents> implements Consumer, LayeredRtpSink {
  readonly id = randomUUID();
  readonly producerId: string;
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
  readonly #producer: WeriftProducer;
  /**
   * Each layer's keyframe limiter, shared by every consumer of the producer: at most one keyframe
   * request per 500 ms reaches the publisher per layer.
   */
  readonly #keyFrames = new Map<ProducerLayer, { limiter: KeyFrameRequestLimiter; release: () => void }>();
  /** Keeps the subscriber's sequence numbers and timestamps continuous across layer switches and pauses. */
  readonly #rewriter: RtpSequenceRewriter;
  /** The layer forwarded now, and the one a switch waits for a keyframe of. */
  #layer: ProducerLayer | undefined;
  #target: ProducerLayer | undefined;
  /** Simulcast only (created when the producer has a second layer). */
  #selector: LayerSelector | undefined;
  #preferences: VideoLayerPreferences = {};
  /** Video stopped because even the lowest layer does not fit (the congestion hint went out). */
  #congestionPaused = false;
  #evaluation: NodeJS.Timeout | undefined;
  /** Set while choosing: the re-ranking it starts must not start a second choice inside the first. */
  #evaluating = false;
  readonly #isConnected: () => boolean;
  readonly #detach: () => void;
  /** Video: answers the subscriber's NACKs from the producer's history; `undefined` for audio. */
  readonly #nack: NackResponder | undefined;
  readonly #internals: SenderInternals;
  /** Writes forwarded packets to the subscriber (SRTP straight to the socket, see rtp-egress.ts). */
  readonly #egress: RtpEgress;
  /** Video: this subscriber's REMB, receiver reports and NACKs, fed to the producer's REMB estimate. */
  readonly #feedback: SubscriberFeedback | undefined;
  #paused: boolean;
  #producerPaused: boolean;
  #closed = false;
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
   * @param datapath - the native datapath, or undefined for the JavaScript one.
   */
  constructor(
    producer: WeriftProducer,
    sender: RTCRtpSender,
    codec: RtpCodec,
    options: { paused: boolean; isConnected: () => boolean; datapath?: NativeDatapath | undefined },
  ) {
    super();
    this.#producer = producer;
    this.#rewriter = new RtpSequenceRewriter(codec.clockRate);
    this.#isConnected = options.isConnected;
    this.producerId = producer.id;
    this.kind = producer.kind;
    this.codec = codec;
    this.#paused = options.paused;
    this.#producerPaused = producer.paused;

    const onPause = (): void => this.#onProducerPause();
    const onResume = (): void => this.#onProducerResume();
    const onClose = (): void => this.#onProducerClose();
    const onLayers = (): void => this.#onLayers();
    producer.on('pause', onPause).on('resume', onResume).on('@close', onClose).on('@layers', onLayers);
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
    this.#egress = new RtpEgress(sender, options.datapath);
    const history = producer.history;
    this.#onLayers();
    this.#nack = history ? new NackResponder(history, this.#internals) : undefined;
    const restoreNacks = this.#nack
      ? this.#internals.interceptNacks((nack) => this.#onNack(nack.lost))
      : undefined;
    this.#feedback = producer.bitrateEstimator?.addSubscriber(() => this.#stats.packetsOut);
    this.#feedback?.setActive(!this.#paused && !this.#producerPaused);
    const feedback = this.#feedback ? sender.onRtcp.subscribe((rtcp) => this.#onFeedback(rtcp)) : undefined;
    producer.addLayeredSink(this);
    this.#detach = () => {
      producer.off('pause', onPause).off('resume', onResume).off('@close', onClose).off('@layers', onLayers);
      pli.unSubscribe();
      fir.unSubscribe();
      feedback?.unSubscribe();
      restoreNacks?.();
      this.#feedback?.close();
      producer.removeLayeredSink(this);
      clearInterval(this.#evaluation);
      for (const held of this.#keyFrames.values()) held.release();
      this.#keyFrames.clear();
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

  get currentLayer(): VideoLayer | null {
    if (this.#selector === undefined || this.#layer === undefined || this.#congestionPaused) return null;
    return this.#describe(this.#layer);
  }

  setPreferredLayers(preferences: VideoLayerPreferences): void {
    if (typeof preferences !== 'object' || preferences === null) {
      throw new SfuError('INVALID_ARGUMENT', 'preferences must be an object');
    }
    const checked: VideoLayerPreferences = {};
    for (const key of ['maxWidth', 'maxHeight', 'maxFrameRate'] as const) {
      const value = preferences[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new SfuError('INVALID_ARGUMENT', `preferences.${key} must be a positive number`);
      }
      checked[key] = value;
    }
    this.#preferences = checked;
    if (!this.#closed) this.#evaluateLayers();
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
    this.#rewriter.rebase();
    this.#feedback?.setActive(!this.#producerPaused);
    this.emit('resume');
    if (!this.#producerPaused) this.requestKeyFrame();
  }

  /**
   * Asks the publisher for a keyframe of the layer forwarded (or awaited), through the layer's shared
   * rate limit; before any layer is chosen, of every layer.
   */
  requestKeyFrame(): void {
    if (this.#closed) return;
    const layer = this.#target ?? this.#layer;
    if (layer !== undefined) {
      this.#keyFrames.get(layer)?.limiter.request();
      return;
    }
    for (const held of this.#keyFrames.values()) held.limiter.request();
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

  /**
   * Forwards one producer packet, unless this consumer or its producer is paused or the packet belongs to
   * another simulcast layer. A switch to the target layer happens on its first keyframe packet.
   */
  deliver(packet: RtpPacket, layer: ProducerLayer): void {
    if (this.#paused || this.#producerPaused || this.#congestionPaused) {
      if (layer === this.#layer || this.#selector === undefined) this.#stats.packetsDropped++;
      return;
    }
    if (!this.#isConnected()) return;
    if (layer !== this.#layer) {
      if (this.#selector === undefined) {
        // One layer (or a new track of a non-simulcast section): nothing to choose.
        this.#layer = layer;
      } else if (layer === this.#target && layer.isKeyFrame(packet.payload)) {
        this.#switchTo(layer);
      } else {
        return;
      }
    }
    const { header } = packet;
    const rebased = this.#rewriter.rebasePending;
    if (!this.#rewriter.accept(header, performance.now())) return;
    const sequenceNumber = header.sequenceNumber;
    // The shared packet is not touched: the egress writes the subscriber's numbers into its own header.
    const sent = this.#egress.send(
      packet,
      this.#rewriter.sequenceNumberOf(sequenceNumber),
      this.#rewriter.timestampOf(header.timestamp),
    );
    if (sent > 0) {
      this.#stats.packetsOut++;
      this.#stats.bytesOut += packet.payload.length;
    }
    const nack = this.#nack;
    if (nack === undefined) return;
    if (rebased) {
      // The subscriber's numbers are the producer's plus this consumer's offsets plus werift's own.
      const internals = this.#internals;
      nack.startEpoch(
        sequenceNumber,
        (this.#rewriter.seqOffset + internals.seqOffset) & 0xffff,
        (this.#rewriter.timestampOffset + internals.timestampOffset) >>> 0,
        layer.history,
      );
    } else {
      nack.packetSent();
    }
  }

  #switchTo(layer: ProducerLayer): void {
    this.#layer = layer;
    this.#target = undefined;
    this.#rewriter.rebase();
    this.emit('layerchange', this.#describe(layer));
  }

  #describe(layer: ProducerLayer): VideoLayer {
    return { index: Math.max(0, this.#producer.layers.indexOf(layer)), ...layer.describe() };
  }

  /** The producer's layers changed (a new one, or a new ranking). */
  #onLayers(): void {
    if (this.#closed) return;
    for (const layer of this.#producer.layers) {
      if (this.kind === 'video' && !this.#keyFrames.has(layer))
        this.#keyFrames.set(layer, acquireKeyFrameLimiter(layer));
    }
    if (this.kind !== 'video' || !this.#producer.simulcast) return;
    if (this.#selector === undefined) {
      this.#selector = new LayerSelector();
      // Whatever was forwarded from the first layer continues only through a keyframe-gated switch.
      this.#target = this.#layer;
      this.#layer = undefined;
      this.#evaluation = setInterval(() => this.#evaluateLayers(), LAYER_EVALUATION_INTERVAL_MS);
      // Layer choice must never keep the process alive on its own.
      this.#evaluation.unref();
    }
    this.#evaluateLayers();
  }

  /** Picks the layer to forward from the preferences and this subscriber's congestion signals. */
  #evaluateLayers(): void {
    const selector = this.#selector;
    if (selector === undefined || this.#closed || this.#evaluating) return;
    this.#evaluating = true;
    try {
      this.#producer.rerank();
    } finally {
      this.#evaluating = false;
    }
    const now = performance.now();
    const layers = this.#producer.layers;
    const candidates = layers.map((layer) => ({
      ...(layer.width !== undefined ? { width: layer.width, height: layer.height as number } : {}),
      ...(layer.frameRate !== undefined ? { frameRate: layer.frameRate } : {}),
      bitrate: layer.bitrate,
      active: layer.isActive(now),
    }));
    const signals = this.#feedback?.signals() ?? { lossBitrate: Number.POSITIVE_INFINITY };
    const choice = selector.select(candidates, this.#preferences, signals);
    if (choice === VIDEO_PAUSED) {
      if (this.#congestionPaused) return;
      this.#congestionPaused = true;
      this.#target = undefined;
      this.emit('congestion', false);
      return;
    }
    if (this.#congestionPaused) {
      this.#congestionPaused = false;
      // Video restarts on a keyframe of the chosen layer, continuing the numbering.
      this.#layer = undefined;
      this.emit('congestion', true);
    }
    const wanted = layers[choice];
    if (wanted === undefined || wanted === this.#layer) {
      this.#target = undefined;
      return;
    }
    this.#target = wanted;
    // Before the subscriber's transport is connected a keyframe would pass unseen (nothing is forwarded
    // yet) and hold the layer's rate limit for 500 ms; the transport asks once it is connected.
    if (!this.#paused && !this.#producerPaused && this.#isConnected()) {
      this.#keyFrames.get(wanted)?.limiter.request();
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
    this.#rewriter.rebase();
    this.#feedback?.setActive(!this.#paused);
    this.emit('producerresume');
  }

  #onProducerClose(): void {
    if (this.#closed) return;
    this.emit('producerclose');
    this.close();
  }
}
