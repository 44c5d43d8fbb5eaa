/**
 * Sequence-number and timestamp continuity for one outgoing RTP stream whose source changes: a consumer
 * switching simulcast layers (each layer is its own RTP stream, with its own random sequence numbers and
 * timestamps), or resuming after a pause. The subscriber must see one stream that continues: a jump in
 * sequence numbers makes its jitter buffer wait for (and NACK) packets that were never sent, and a jump in
 * timestamps breaks its playout timing.
 *
 * Each source change starts an "epoch": the first packet after {@link RtpSequenceRewriter.rebase} gets the
 * sequence number after the last one sent, and a timestamp advanced by the wall-clock time elapsed since
 * the last packet sent (in the codec's clock), so playout timing stays right across the switch. Until the
 * next rebase every packet keeps the same offsets, so reordering within the epoch survives. Packets older
 * than the epoch's first one (late packets of the source from before the switch) are refused: they would
 * reuse sequence numbers already sent.
 *
 * The rewrite is arithmetic on two numbers: no allocation (it runs once per forwarded packet).
 */

/** The header fields the rewriter reads and writes (werift's `RtpHeader` has them). */
export interface RewritableHeader {
  sequenceNumber: number;
  timestamp: number;
}

/** One outgoing stream's continuity state. */
export class RtpSequenceRewriter {
  readonly #clockRate: number;
  #seqOffset = 0;
  #timestampOffset = 0;
  /** The last sequence number and timestamp sent, and when (−1: nothing sent yet). */
  #lastSeq = -1;
  #lastTimestamp = 0;
  #lastSentAt = 0;
  /** The input sequence number that started the current epoch. */
  #epochStart = 0;
  #rebasePending = true;

  /** @param clockRate - the codec's RTP clock rate (90 000 for video, 48 000 for Opus). */
  constructor(clockRate: number) {
    if (!Number.isInteger(clockRate) || clockRate <= 0) {
      throw new RangeError(`clockRate must be a positive integer, got ${clockRate}`);
    }
    this.#clockRate = clockRate;
  }

  /** Added (mod 2¹⁶) to each input sequence number in the current epoch. */
  get seqOffset(): number {
    return this.#seqOffset;
  }

  /** Added (mod 2³²) to each input timestamp in the current epoch. */
  get timestampOffset(): number {
    return this.#timestampOffset;
  }

  /** Whether the next packet starts a new epoch. */
  get rebasePending(): boolean {
    return this.#rebasePending;
  }

  /** The source changes: the next packet continues the output stream. */
  rebase(): void {
    this.#rebasePending = true;
  }

  /**
   * Computes the output sequence number and timestamp of one packet, or returns `false` when the packet
   * must not be sent (it is older than the current epoch). Does not modify `header`: the caller writes
   * {@link sequenceNumberOf} and {@link timestampOf} into the packet it sends.
   * `nowMs` is a monotonic clock in milliseconds (`performance.now()`).
   */
  accept(header: RewritableHeader, nowMs: number): boolean {
    const seq = header.sequenceNumber;
    if (this.#rebasePending) {
      this.#rebasePending = false;
      this.#epochStart = seq;
      if (this.#lastSeq >= 0) {
        const elapsedTicks = Math.round(((nowMs - this.#lastSentAt) * this.#clockRate) / 1000);
        this.#seqOffset = (this.#lastSeq + 1 - seq) & 0xffff;
        this.#timestampOffset = (this.#lastTimestamp + Math.max(1, elapsedTicks) - header.timestamp) >>> 0;
      }
    } else {
      // Before the epoch's first packet (mod 2¹⁶): a late packet of the previous source.
      const sinceStart = (seq - this.#epochStart) & 0xffff;
      if (sinceStart >= 0x8000) return false;
    }
    const outSeq = (seq + this.#seqOffset) & 0xffff;
    // Track the highest sequence number sent (a reordered packet does not move it back).
    if (this.#lastSeq < 0 || ((outSeq - this.#lastSeq) & 0xffff) < 0x8000) {
      this.#lastSeq = outSeq;
      this.#lastTimestamp = (header.timestamp + this.#timestampOffset) >>> 0;
    }
    this.#lastSentAt = nowMs;
    return true;
  }

  /** The output sequence number of an input one, in the current epoch. */
  sequenceNumberOf(inputSeq: number): number {
    return (inputSeq + this.#seqOffset) & 0xffff;
  }

  /** The output timestamp of an input one, in the current epoch. */
  timestampOf(inputTimestamp: number): number {
    return (inputTimestamp + this.#timestampOffset) >>> 0;
  }
}
