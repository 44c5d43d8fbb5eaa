/**
 * A producer: one track received from a publisher, fanned out to its consumers. A simulcast video track
 * has several layers (RID or legacy SSRC-group simulcast), each its own RTP stream: the producer receives
 * them all, and each consumer picks the layer it forwards (`layer-selector.ts`).
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@parley/events';
import type { MediaStreamTrack, RTCRtpReceiver, RtpPacket } from 'werift';
import type { MediaKind, Producer, ProducerEvents, ProducerStats, ProducerTap, RtpCodec } from '../types.js';
import { SubscriberFeedbackEstimator } from './bitrate-estimator.js';
import { RtpFanout, type RtpSink } from './forwarding.js';
import { acquireKeyFrameLimiter, type KeyFrameRequestLimiter } from './keyframe-requests.js';
import { installNackGenerators } from './nack-generator.js';
import { type LayerDescription, ProducerLayer } from './producer-layer.js';
import type { RtpPacketHistory } from './rtp-history.js';
import { RtpSequenceRewriter } from './rtp-rewriter.js';

/** Internal events: the owner drops a closed producer from its list on `@close`. */
type InternalProducerEvents = ProducerEvents & { '@close': []; '@layers': [] };

/** The werift pieces a producer reads from: the receiver and its first track (a rid track, in simulcast). */
export interface ProducerSource {
  track: MediaStreamTrack;
  receiver: RTCRtpReceiver;
  /** Every rid track of a RID-simulcast section, in `a=simulcast` order (default: `[track]`). */
  tracks?: readonly MediaStreamTrack[];
}

/** Receives a producer's packets with the layer they belong to (consumers). */
export interface LayeredRtpSink {
  deliver(packet: RtpPacket, layer: ProducerLayer): void;
}

/** A werift producer. */
export class WeriftProducer extends TypedEmitter<InternalProducerEvents> implements Producer {
  readonly id = randomUUID();
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
  readonly streamId: string;
  readonly #receiver: RTCRtpReceiver;
  readonly #sinks = new Set<LayeredRtpSink>();
  /** Sinks of the producer as a whole (keyframe limiters of callers that predate layers). */
  readonly #plainSinks = new RtpFanout();
  /** The layers, in the order they were declared; {@link layers} ranks them. */
  readonly #layers: ProducerLayer[] = [];
  #ranked: ProducerLayer[] = [];
  /** The recording taps; the packet is serialised once for all of them, and only while there are any. */
  readonly #taps = new Set<ProducerTap>();
  /** Simulcast: the taps get one layer (the best), continuous across switches like a consumer's. */
  #tapLayer: ProducerLayer | undefined;
  #tapTarget: ProducerLayer | undefined;
  readonly #tapRewriter: RtpSequenceRewriter;
  readonly #unsubscribes: (() => void)[] = [];
  #paused = false;
  #closed = false;
  /** Video only: the REMB estimate its consumers' feedback drives. */
  readonly #bitrate: SubscriberFeedbackEstimator | undefined;
  /** Each video layer's keyframe limiter, held while the producer lives (consumers share it). */
  readonly #keyFrames = new Map<ProducerLayer, { limiter: KeyFrameRequestLimiter; release: () => void }>();
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
    this.#receiver = source.receiver;
    this.#tapRewriter = new RtpSequenceRewriter(codec.clockRate);
    const tracks = source.tracks && source.tracks.length > 0 ? source.tracks : [source.track];
    if (kind === 'video') {
      this.#bitrate = new SubscriberFeedbackEstimator({ maxBitrate });
      // A packet the publisher never repaired leaves a hole only a keyframe fixes: ask (rate-limited).
      // RID layers are repaired too: their RTX is routed by `rid-rtx.ts`.
      installNackGenerators(source.receiver, {
        retransmissions: true,
        requestKeyFrame: (ssrc) => this.#keyFrameLimiterOf(ssrc)?.request(),
      });
    }
    for (const track of tracks) this.addTrack(track);
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

  /** Engine-internal: the layers, lowest quality first (one for a track without simulcast). */
  get layers(): readonly ProducerLayer[] {
    return this.#ranked;
  }

  /** Engine-internal: whether the track is simulcast. */
  get simulcast(): boolean {
    return this.#layers.length > 1;
  }

  /**
   * Engine-internal: ranks the layers again (their measured bitrates move; sizes, when known, decide).
   * Consumers call it before choosing, about once a second.
   */
  rerank(): void {
    if (this.#layers.length > 1) this.#rank();
  }

  /** Engine-internal: the layers as plain descriptions, lowest first. */
  describeLayers(): LayerDescription[] {
    return this.#ranked.map((layer) => layer.describe());
  }

  /** Engine-internal: the recent packets of the first layer (the only one without simulcast). */
  get history(): RtpPacketHistory | undefined {
    return this.#layers[0]?.history;
  }

  /** Engine-internal: the REMB estimator its consumers feed (video only). */
  get bitrateEstimator(): SubscriberFeedbackEstimator | undefined {
    return this.#bitrate;
  }

  /** The publisher's SSRC of the first layer, once known (engine-internal). */
  get mediaSsrc(): number | undefined {
    return this.#layers[0]?.ssrc;
  }

  /** The publisher's SSRCs of every layer seen so far (engine-internal: REMB lists them). */
  get mediaSsrcs(): number[] {
    const ssrcs: number[] = [];
    for (const layer of this.#layers) if (layer.ssrc !== undefined) ssrcs.push(layer.ssrc);
    return ssrcs;
  }

  /**
   * Engine-internal: receives one more encoding of this track (a legacy-simulcast SSRC registered after
   * the offer, or a rid track). Returns the new layer.
   */
  addTrack(track: MediaStreamTrack): ProducerLayer {
    const layer = new ProducerLayer(
      { kind: this.kind, codec: this.codec, sendPli: (ssrc) => this.#sendPli(ssrc) },
      {
        ...(track.rid !== undefined ? { rid: track.rid } : {}),
        ...(track.ssrc ? { ssrc: track.ssrc } : {}),
        declaredIndex: this.#layers.length,
      },
    );
    this.#layers.push(layer);
    this.#rank();
    if (this.kind === 'video') {
      this.#keyFrames.set(layer, acquireKeyFrameLimiter(layer));
      if (this.#layers.length > 1) this.#bitrate?.setAggregate('most');
    }
    const { unSubscribe } = track.onReceiveRtp.subscribe((packet) => this.#onRtp(packet, layer));
    this.#unsubscribes.push(unSubscribe);
    this.emit('@layers');
    return layer;
  }

  pause(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.emit('pause');
  }

  resume(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#tapRewriter.rebase();
    this.emit('resume');
    this.requestKeyFrame();
  }

  /** Asks for a keyframe of every layer (a recording or a forced resume needs whichever it gets). */
  requestKeyFrame(): void {
    if (this.#closed || this.kind !== 'video') return;
    for (const layer of this.#layers) layer.requestKeyFrame();
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
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#sinks.clear();
    this.#plainSinks.clear();
    this.#taps.clear();
    for (const held of this.#keyFrames.values()) held.release();
    this.#keyFrames.clear();
    for (const layer of this.#layers) layer.clear();
    this.emit('close');
    this.emit('@close');
  }

  /** Engine-internal: adds a consumer. */
  addLayeredSink(sink: LayeredRtpSink): void {
    this.#sinks.add(sink);
  }

  /** Engine-internal: removes a consumer. */
  removeLayeredSink(sink: LayeredRtpSink): void {
    this.#sinks.delete(sink);
  }

  /** Engine-internal: adds a sink of every packet, whatever its layer. */
  addSink(sink: RtpSink): void {
    this.#plainSinks.add(sink);
  }

  /** Engine-internal: removes a sink added with {@link addSink}. */
  removeSink(sink: RtpSink): void {
    this.#plainSinks.delete(sink);
  }

  /** Engine-internal: the transport closed. */
  transportClosed(): void {
    if (this.#closed) return;
    this.emit('transportclose');
    this.close();
  }

  #keyFrameLimiterOf(ssrc: number): KeyFrameRequestLimiter | undefined {
    const layer = this.#layers.find((candidate) => candidate.ssrc === ssrc);
    return layer && this.#keyFrames.get(layer)?.limiter;
  }

  #sendPli(ssrc: number): void {
    this.#stats.keyFrameRequests++;
    void this.#receiver.sendRtcpPLI(ssrc);
  }

  /**
   * Ranks the layers: by frame size once known, else by bitrate, else as declared. Tells the consumers
   * (`@layers`) when the order changed, or always with `notify`.
   */
  #rank(notify = false): void {
    const ranked = [...this.#layers].sort((a, b) => {
      const areaA = (a.width ?? 0) * (a.height ?? 0);
      const areaB = (b.width ?? 0) * (b.height ?? 0);
      if (areaA > 0 && areaB > 0 && areaA !== areaB) return areaA - areaB;
      if (
        a.bitrate > 0 &&
        b.bitrate > 0 &&
        Math.abs(a.bitrate - b.bitrate) > 0.2 * Math.max(a.bitrate, b.bitrate)
      ) {
        return a.bitrate - b.bitrate;
      }
      return a.declaredIndex - b.declaredIndex;
    });
    const changed = ranked.some((layer, i) => layer !== this.#ranked[i]);
    this.#ranked = ranked;
    if ((changed || notify) && this.#layers.length > 1) this.emit('@layers');
  }

  #onRtp(packet: RtpPacket, layer: ProducerLayer): void {
    if (this.#closed) return;
    this.#stats.packetsIn++;
    this.#stats.bytesIn += packet.payload.length;
    const width = layer.width;
    // A packet already forwarded: Chrome probes bandwidth by resending old packets as RTX ("redundant
    // payloads"), and a retransmission can race a late original. Forwarding it again would hand every
    // subscriber a packet far behind its stream (which inflated their reported loss to 50–66 % in the
    // lossy-relay test) for nothing.
    const seen = layer.receive(packet, performance.now());
    if (seen === 'duplicate') return;
    // A subscriber may have asked for a keyframe before the first packet told us where to send it.
    if (seen === 'first' && this.#sinks.size > 0) layer.requestKeyFrame();
    // A layer starting or announcing its size: consumers choose again now rather than at their next tick.
    if (this.#layers.length > 1 && (seen === 'first' || layer.width !== width)) this.#rank(true);
    // Before forwarding: the fan-out strips header extensions and senders may rewrite the header.
    if (this.#taps.size > 0 && !this.#paused) this.#deliverToTaps(packet, layer);
    // Consumers drop the packet themselves while this producer is paused, and count it as dropped.
    this.#plainSinks.forward(packet);
    for (const sink of this.#sinks) sink.deliver(packet, layer);
    // After the fan-out stripped its header extensions: a retransmission carries only the subscriber's.
    layer.history?.put(packet);
  }

  #deliverToTaps(packet: RtpPacket, layer: ProducerLayer): void {
    if (this.#layers.length > 1 && !this.#tapAccepts(packet, layer)) return;
    const { header } = packet;
    const sequenceNumber = header.sequenceNumber;
    const timestamp = header.timestamp;
    if (this.#layers.length > 1) {
      // One continuous stream for the recorder, whatever layer it comes from.
      header.sequenceNumber = this.#tapRewriter.sequenceNumberOf(sequenceNumber);
      header.timestamp = this.#tapRewriter.timestampOf(timestamp);
    }
    const raw = packet.serialize();
    header.sequenceNumber = sequenceNumber;
    header.timestamp = timestamp;
    for (const tap of this.#taps) {
      try {
        tap(raw);
      } catch (error) {
        // A failing recorder must never break forwarding to the session's subscribers.
        this.emit('listenerError', error, 'tap');
      }
    }
  }

  /** Simulcast taps follow the best active layer, switching on its keyframes. */
  #tapAccepts(packet: RtpPacket, layer: ProducerLayer): boolean {
    const now = performance.now();
    const best = this.#ranked.findLast((candidate) => candidate.isActive(now));
    if (best !== undefined && best !== this.#tapLayer && best !== this.#tapTarget) {
      this.#tapTarget = best;
      best.requestKeyFrame();
    }
    if (layer === this.#tapTarget && layer.isKeyFrame(packet.payload)) {
      this.#tapLayer = layer;
      this.#tapTarget = undefined;
      this.#tapRewriter.rebase();
    }
    if (layer !== this.#tapLayer) return false;
    return this.#tapRewriter.accept(packet.header, now);
  }
}
