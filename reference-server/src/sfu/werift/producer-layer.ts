/**
 * One encoding of a producer's video: the single stream of a non-simulcast track, or one simulcast layer
 * (an `a=rid` of RID simulcast, or an SSRC of an `a=ssrc-group:SIM` of legacy simulcast). Each layer is
 * its own RTP stream, so each has its own SSRC (learnt from its packets: rid layers have none up front),
 * its own packet history for NACKs, and its own keyframe requests (a PLI names the SSRC it wants a
 * keyframe for, and the keyframe limiter must watch that layer's packets).
 *
 * It also measures what the layer selector needs: the frame size (announced by VP8 keyframes and by the
 * H.264 SPS sent with each keyframe), bitrate and frame rate (over one-second windows), and whether the
 * publisher still sends the layer at all.
 */
import type { RtpPacket } from 'werift';
import type { MediaKind, RtpCodec } from '../types.js';
import type { RtpSink } from './forwarding.js';
import type { FrameSize } from './h264-sps.js';
import type { KeyFrameSource } from './keyframe-requests.js';
import { keyFrameDetector, keyFrameSizeReader } from './keyframes.js';
import { RtpPacketHistory } from './rtp-history.js';

/** A layer that sent nothing for this long is inactive (the encoder dropped it). */
export const LAYER_INACTIVE_AFTER_MS = 1_500;
/** The measuring window of bitrate and frame rate. */
const WINDOW_MS = 1_000;
/** Keyframe requests to one layer closer together than this are coalesced. */
const KEYFRAME_REQUEST_INTERVAL_MS = 100;

/** What the layer needs of its producer. */
export interface LayerOwner {
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
  /** Sends a PLI for `ssrc` to the publisher. */
  sendPli(ssrc: number): void;
}

/** A description of a layer as the engine reports it. */
export interface LayerDescription {
  rid?: string;
  ssrc?: number;
  width?: number;
  height?: number;
  frameRate?: number;
  bitrate: number;
}

/** One received encoding of a video (or audio) producer. */
export class ProducerLayer implements KeyFrameSource {
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
  /** The rid of a RID-simulcast layer. */
  readonly rid: string | undefined;
  /** Its position in the offer (`a=simulcast` or `a=ssrc-group:SIM` order), the tie-break of ranking. */
  readonly declaredIndex: number;
  /** Recent packets by sequence number (video only), for NACKs. */
  readonly history: RtpPacketHistory | undefined;
  #ssrc: number | undefined;
  readonly #owner: LayerOwner;
  readonly #isKeyFrame: ((payload: Uint8Array) => boolean) | undefined;
  /** Reads the frame size a keyframe announces (VP8 header, H.264 SPS); undefined for audio. */
  readonly #readFrameSize: ((payload: Uint8Array) => FrameSize | undefined) | undefined;
  readonly #sinks = new Set<RtpSink>();
  #width: number | undefined;
  #height: number | undefined;
  #bitrate = 0;
  #frameRate: number | undefined;
  #windowStart = Number.NEGATIVE_INFINITY;
  #windowBytes = 0;
  #windowFrames = 0;
  #lastTimestamp = -1;
  #lastPacketAt = Number.NEGATIVE_INFINITY;
  #lastKeyFrameRequest = Number.NEGATIVE_INFINITY;

  constructor(owner: LayerOwner, init: { rid?: string; ssrc?: number; declaredIndex: number }) {
    this.#owner = owner;
    this.kind = owner.kind;
    this.codec = owner.codec;
    this.rid = init.rid;
    this.#ssrc = init.ssrc;
    this.declaredIndex = init.declaredIndex;
    this.history = owner.kind === 'video' ? new RtpPacketHistory() : undefined;
    this.#isKeyFrame = owner.kind === 'video' ? keyFrameDetector(owner.codec.mimeType) : undefined;
    this.#readFrameSize = owner.kind === 'video' ? keyFrameSizeReader(owner.codec.mimeType) : undefined;
  }

  /** The publisher's SSRC for this layer, once known. */
  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  get width(): number | undefined {
    return this.#width;
  }

  get height(): number | undefined {
    return this.#height;
  }

  /** Bits per second over the last measuring windows (0 before the first window ends). */
  get bitrate(): number {
    return this.#bitrate;
  }

  /** Frames per second over the last window, once measured. */
  get frameRate(): number | undefined {
    return this.#frameRate;
  }

  /** Whether the publisher sent this layer recently. */
  isActive(now: number): boolean {
    return now - this.#lastPacketAt <= LAYER_INACTIVE_AFTER_MS;
  }

  /** Whether a payload of this layer's codec starts a keyframe. */
  isKeyFrame(payload: Uint8Array): boolean {
    return this.#isKeyFrame?.(payload) ?? false;
  }

  /** A plain description (stats, events, IPC). */
  describe(): LayerDescription {
    return {
      ...(this.rid !== undefined ? { rid: this.rid } : {}),
      ...(this.#ssrc !== undefined ? { ssrc: this.#ssrc } : {}),
      ...(this.#width !== undefined ? { width: this.#width, height: this.#height as number } : {}),
      ...(this.#frameRate !== undefined ? { frameRate: this.#frameRate } : {}),
      bitrate: this.#bitrate,
    };
  }

  /**
   * Sees one received packet. Returns `duplicate` for a packet already forwarded (a bandwidth probe or a
   * raced retransmission: the caller drops it); otherwise updates the measurements, hands the packet to
   * the layer's sinks (its keyframe limiter) and returns `first` when it taught the layer its SSRC, else
   * `ok`.
   */
  receive(packet: RtpPacket, now: number): 'duplicate' | 'first' | 'ok' {
    const { header } = packet;
    if (this.history?.has(header.sequenceNumber)) return 'duplicate';
    const first = this.#ssrc === undefined;
    if (first) this.#ssrc = header.ssrc;
    this.#lastPacketAt = now;
    this.#measure(packet, now);
    if (this.#readFrameSize !== undefined) {
      const size = this.#readFrameSize(packet.payload);
      if (size) {
        this.#width = size.width;
        this.#height = size.height;
      }
    }
    for (const sink of this.#sinks) sink.deliver(packet);
    return first ? 'first' : 'ok';
  }

  /** Asks the publisher for a keyframe of this layer (no-op until its SSRC is known, or on audio). */
  requestKeyFrame(): void {
    if (this.kind !== 'video' || this.#ssrc === undefined) return;
    const now = performance.now();
    if (now - this.#lastKeyFrameRequest < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.#lastKeyFrameRequest = now;
    this.#owner.sendPli(this.#ssrc);
  }

  addSink(sink: RtpSink): void {
    this.#sinks.add(sink);
  }

  removeSink(sink: RtpSink): void {
    this.#sinks.delete(sink);
  }

  /** Releases the history and sinks (the producer closed). */
  clear(): void {
    this.history?.clear();
    this.#sinks.clear();
  }

  #measure(packet: RtpPacket, now: number): void {
    if (now - this.#windowStart >= WINDOW_MS) {
      if (this.#windowStart !== Number.NEGATIVE_INFINITY) {
        const elapsed = now - this.#windowStart;
        const rate = (this.#windowBytes * 8 * 1000) / elapsed;
        // A gap of several windows (the layer paused) restarts the measurement rather than averaging in zeros.
        this.#bitrate = this.#bitrate === 0 || elapsed > 3 * WINDOW_MS ? rate : (this.#bitrate + rate) / 2;
        if (this.kind === 'video') this.#frameRate = (this.#windowFrames * 1000) / elapsed;
      }
      this.#windowStart = now;
      this.#windowBytes = 0;
      this.#windowFrames = 0;
    }
    // Payload plus a typical 12-byte header and 28 bytes of UDP/IP: what the path carries.
    this.#windowBytes += packet.payload.length + 40;
    if (packet.header.timestamp !== this.#lastTimestamp) {
      this.#lastTimestamp = packet.header.timestamp;
      this.#windowFrames++;
    }
  }
}
