/**
 * Puts one track's RTP packets back in sequence order. Packets that arrive early are held until the
 * gap before them fills; a gap that stays open (more than {@link ReorderOptions.maxHeld} packets held, or
 * the oldest held longer than {@link ReorderOptions.maxWaitMs}) is a loss: the buffer skips it and marks
 * the next packet `afterLoss`, so the video assembler knows the frame being built is broken.
 * Duplicates and packets older than the sequence already passed are dropped. A new SSRC (the
 * publisher restarted its track) starts a new sequence: what was held of the old one is passed on first.
 */
import type { RtpPacket } from 'werift';

/** A packet in sequence order. */
export interface OrderedPacket {
  packet: RtpPacket;
  /** Packets before this one were lost. */
  afterLoss: boolean;
}

/** Options of {@link ReorderBuffer}. */
export interface ReorderOptions {
  /** Packets held at most while waiting for a missing one. Default 128. */
  maxHeld?: number;
  /** How long a missing packet is waited for, ms. Default 150. */
  maxWaitMs?: number;
  now?: () => number;
}

/** See the file comment. */
export class ReorderBuffer {
  readonly #held = new Map<number, { packet: RtpPacket; at: number }>();
  readonly #maxHeld: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  #expected: number | null = null;
  #ssrc: number | null = null;
  #lossPending = false;

  constructor(options: ReorderOptions = {}) {
    this.#maxHeld = options.maxHeld ?? 128;
    this.#maxWaitMs = options.maxWaitMs ?? 150;
    this.#now = options.now ?? Date.now;
  }

  /** Takes a packet; returns the packets now in order (possibly none). */
  push(packet: RtpPacket): OrderedPacket[] {
    const sequence = packet.header.sequenceNumber;
    const out: OrderedPacket[] = this.#ssrc !== null && packet.header.ssrc !== this.#ssrc ? this.flush() : [];
    if (this.#ssrc !== packet.header.ssrc) {
      this.#ssrc = packet.header.ssrc;
      this.#expected = null;
    }
    if (this.#expected === null) this.#expected = sequence;
    const ahead = (sequence - this.#expected) & 0xffff;
    if (ahead >= 0x8000) return out; // older than what was already passed on (or a duplicate of it)
    if (ahead === 0) {
      this.#emit(packet, out);
      this.#drain(out);
    } else if (!this.#held.has(sequence)) {
      this.#held.set(sequence, { packet, at: this.#now() });
    }
    this.#skipStaleGap(out);
    return out;
  }

  /** Returns every held packet in order (the track ends), treating open gaps as losses. */
  flush(): OrderedPacket[] {
    const out: OrderedPacket[] = [];
    while (this.#held.size > 0) this.#skipGap(out);
    return out;
  }

  #emit(packet: RtpPacket, out: OrderedPacket[]): void {
    out.push({ packet, afterLoss: this.#lossPending });
    this.#lossPending = false;
    this.#expected = (packet.header.sequenceNumber + 1) & 0xffff;
  }

  #drain(out: OrderedPacket[]): void {
    for (;;) {
      const next = this.#expected === null ? undefined : this.#held.get(this.#expected);
      if (!next) return;
      this.#held.delete(next.packet.header.sequenceNumber);
      this.#emit(next.packet, out);
    }
  }

  #skipStaleGap(out: OrderedPacket[]): void {
    const now = this.#now();
    while (this.#held.size > 0) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const { at } of this.#held.values()) oldest = Math.min(oldest, at);
      if (this.#held.size <= this.#maxHeld && now - oldest <= this.#maxWaitMs) return;
      this.#skipGap(out);
    }
  }

  /** Gives up on the missing packets before the nearest held one. */
  #skipGap(out: OrderedPacket[]): void {
    const expected = this.#expected ?? 0;
    let nearest: number | null = null;
    for (const sequence of this.#held.keys()) {
      if (nearest === null || ((sequence - expected) & 0xffff) < ((nearest - expected) & 0xffff)) {
        nearest = sequence;
      }
    }
    if (nearest === null) return;
    this.#lossPending = true;
    this.#expected = nearest;
    this.#drain(out);
  }
}
