/**
 * Answers one subscriber's NACKs (RFC 4585 generic NACK) by retransmitting from the producer's shared
 * history: as RTX (RFC 4588) when the subscriber negotiated it, else as the original packet.
 *
 * The consumer forwards producer packets through werift's sender, which rewrites sequence numbers and
 * timestamps by fixed offsets until the next re-base (a resume after a pause). A NACKed sequence number
 * maps back to the producer's by that offset, but only for packets sent since the last re-base: older
 * ones were sent under other offsets (or never, during the pause) and are ignored, as are packets the
 * history no longer holds.
 *
 * Two limits keep retransmissions from making congestion worse:
 * - a budget that grows with the stream: each forwarded packet earns {@link NackResponderOptions.budgetPerPacket}
 *   retransmissions (default 0.25, i.e. at most ≈ 25 % extra packets over time), up to a burst of
 *   {@link NackResponderOptions.burst};
 * - the same packet is not resent twice within {@link NackResponderOptions.minResendIntervalMs} (a
 *   receiver repeats a NACK until the packet arrives; the first retransmission may still be in flight).
 */
import { RtpHeader, type RtpPacket } from 'werift';
import type { RtpPacketHistory } from './rtp-history.js';

/** Where retransmissions go and how the subscriber's stream is labelled (the werift sender, in the engine). */
export interface RetransmissionTarget {
  /** The subscriber's media SSRC. */
  readonly ssrc: number;
  /** The subscriber leg's media payload type (`undefined` until negotiated: nothing is sent then). */
  readonly payloadType: number | undefined;
  /** RTX, when the subscriber negotiated it. */
  readonly rtx: { payloadType: number; ssrc: number } | undefined;
  /** The MID header extension id, when negotiated (bundled m-sections are demultiplexed by it). */
  readonly midExtensionId: number | undefined;
  readonly mid: string | undefined;
  send(header: RtpHeader, payload: Buffer): void;
}

/** Tuning of a {@link NackResponder}. */
export interface NackResponderOptions {
  /** Retransmissions earned per forwarded packet. Default 0.25. */
  budgetPerPacket?: number;
  /** The most retransmissions that can be sent in one burst. Default 64. */
  burst?: number;
  /** The shortest time between two retransmissions of one packet. Default 20 ms. */
  minResendIntervalMs?: number;
  now?: () => number;
}

/** What happened to the sequence numbers of the NACKs handled so far. */
export interface NackResponderStats {
  /** Sequence numbers asked for. */
  requested: number;
  /** Of those, the ones asked for the first time (a receiver repeats a NACK until the packet arrives). */
  distinct: number;
  /** Packets retransmitted. */
  retransmitted: number;
  /** Not in history (too old, before the last re-base, or never forwarded). */
  missing: number;
  /** Refused by the budget or the per-packet interval. */
  limited: number;
}

/** One consumer's NACK responder. */
export class NackResponder {
  #history: RtpPacketHistory;
  readonly #target: RetransmissionTarget;
  readonly #budgetPerPacket: number;
  readonly #burst: number;
  readonly #minResendIntervalMs: number;
  readonly #now: () => number;
  /** When each history slot was last retransmitted (indexed like the history: sequence & mask). */
  readonly #resentAt: Float64Array;
  /** The last subscriber sequence number NACKed per slot (indexed by subscriber sequence & mask). */
  readonly #nackedSeq: Int32Array;
  readonly #mask: number;
  #tokens: number;
  /** The current re-base: offsets, and the subscriber-side sequence number it started at. */
  #seqOffset = 0;
  #timestampOffset = 0;
  #firstSeq = 0;
  /** Packets sent since the re-base (capped: only "more than a history's worth" matters). */
  #sentInEpoch = 0;
  #rtxSequenceNumber = Math.floor(Math.random() * 0x10000);
  #midPayload: Buffer | undefined;
  readonly stats: NackResponderStats = {
    requested: 0,
    distinct: 0,
    retransmitted: 0,
    missing: 0,
    limited: 0,
  };

  constructor(history: RtpPacketHistory, target: RetransmissionTarget, options: NackResponderOptions = {}) {
    this.#history = history;
    this.#target = target;
    this.#budgetPerPacket = options.budgetPerPacket ?? 0.25;
    this.#burst = options.burst ?? 64;
    this.#minResendIntervalMs = options.minResendIntervalMs ?? 20;
    this.#now = options.now ?? (() => performance.now());
    this.#resentAt = new Float64Array(history.capacity).fill(Number.NEGATIVE_INFINITY);
    this.#mask = history.capacity - 1;
    this.#nackedSeq = new Int32Array(history.capacity).fill(-1);
    this.#tokens = Math.min(8, this.#burst);
  }

  /**
   * The sender re-based (first packet after a resume, or the very first packet): from now on the
   * subscriber's sequence number is the producer's plus `seqOffset`, its timestamp plus `timestampOffset`.
   * `producerSeq` is the producer sequence number of the packet just sent. `history` is where the epoch's
   * packets are kept, when it changes with the epoch (a simulcast layer switch: each layer has its own);
   * it must have the capacity of the first one.
   */
  startEpoch(
    producerSeq: number,
    seqOffset: number,
    timestampOffset: number,
    history?: RtpPacketHistory,
  ): void {
    if (history !== undefined && history !== this.#history) {
      if (history.capacity !== this.#history.capacity) {
        throw new RangeError('a new history must have the capacity of the first one');
      }
      this.#history = history;
    }
    this.#seqOffset = seqOffset;
    this.#timestampOffset = timestampOffset;
    this.#firstSeq = (producerSeq + seqOffset) & 0xffff;
    this.#sentInEpoch = 0;
    this.packetSent();
  }

  /** One packet was forwarded under the current re-base: O(1), no allocation (forwarding hot path). */
  packetSent(): void {
    if (this.#sentInEpoch < 0x8000) this.#sentInEpoch++;
    const tokens = this.#tokens + this.#budgetPerPacket;
    this.#tokens = Math.min(tokens, this.#burst);
  }

  /** Answers one NACK's lost sequence numbers (subscriber-side numbering). */
  handleNack(lost: readonly number[]): void {
    const payloadType = this.#target.payloadType;
    for (const seq of lost) {
      this.stats.requested++;
      const nackSlot = seq & this.#mask;
      if (this.#nackedSeq[nackSlot] !== seq) {
        this.#nackedSeq[nackSlot] = seq;
        this.stats.distinct++;
      }
      const packet = payloadType === undefined ? undefined : this.#lookup(seq);
      if (!packet || payloadType === undefined) {
        this.stats.missing++;
        continue;
      }
      const slot = packet.header.sequenceNumber & this.#mask;
      const now = this.#now();
      if (this.#tokens < 1 || now - (this.#resentAt[slot] as number) < this.#minResendIntervalMs) {
        this.stats.limited++;
        continue;
      }
      this.#tokens -= 1;
      this.#resentAt[slot] = now;
      this.stats.retransmitted++;
      this.#retransmit(packet, seq, payloadType);
    }
  }

  /** The producer packet a subscriber sequence number stands for, if it was sent in this re-base. */
  #lookup(seq: number): RtpPacket | undefined {
    // How far after the re-base's first packet this one is (mod 2¹⁶); beyond what was sent, it is
    // either from before the re-base or a sequence number never sent.
    const sinceStart = (seq - this.#firstSeq) & 0xffff;
    if (sinceStart >= this.#sentInEpoch) return undefined;
    return this.#history.get((seq - this.#seqOffset) & 0xffff);
  }

  #retransmit(packet: RtpPacket, seq: number, payloadType: number): void {
    const target = this.#target;
    const timestamp = (packet.header.timestamp + this.#timestampOffset) >>> 0;
    const extensions = this.#extensions();
    const rtx = target.rtx;
    if (rtx === undefined) {
      const header = new RtpHeader({
        payloadType,
        sequenceNumber: seq,
        timestamp,
        ssrc: target.ssrc,
        marker: packet.header.marker,
        extensions,
      });
      target.send(header, packet.payload);
      return;
    }
    // RFC 4588 §4: the RTX payload starts with the original sequence number.
    const payload = Buffer.allocUnsafe(packet.payload.length + 2);
    payload.writeUInt16BE(seq, 0);
    packet.payload.copy(payload, 2);
    const header = new RtpHeader({
      payloadType: rtx.payloadType,
      sequenceNumber: this.#rtxSequenceNumber,
      timestamp,
      ssrc: rtx.ssrc,
      marker: packet.header.marker,
      extensions,
    });
    this.#rtxSequenceNumber = (this.#rtxSequenceNumber + 1) & 0xffff;
    target.send(header, payload);
  }

  /** The MID extension (a browser needs it to demultiplex the bundled RTX stream until it learns it). */
  #extensions(): { id: number; payload: Buffer }[] {
    const { midExtensionId: id, mid } = this.#target;
    if (id === undefined || mid === undefined) return [];
    this.#midPayload ??= Buffer.from(mid, 'utf8');
    return [{ id, payload: this.#midPayload }];
  }
}
