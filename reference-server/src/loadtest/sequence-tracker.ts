/**
 * Receive-side accounting of one RTP stream from its sequence numbers: packets received, lost (holes
 * that were never filled), gap events and late arrivals. Robust to 16-bit wrap-around; independent of
 * timing, so it measures delivery without racing the sender.
 */

/** A point-in-time copy of a tracker's counters. */
export interface SequenceCounts {
  /** Packets received (in order or late). */
  received: number;
  /** Packets the sequence numbers say were sent since the first one received. */
  expected: number;
  /** Sequence numbers skipped and not (yet) filled by a late packet. */
  lost: number;
  /** Forward jumps of more than one (each a burst of one or more missing packets). */
  gaps: number;
  /** Packets older than the highest seen (reordered, retransmitted or duplicated). */
  late: number;
}

/** Tracks one stream's sequence numbers. */
export class SequenceTracker {
  #first = -1;
  /** The highest extended (wrap-counted) sequence number seen; −1 before the first packet. */
  #highest = -1;
  #received = 0;
  #lost = 0;
  #gaps = 0;
  #late = 0;

  /** Records one packet's 16-bit sequence number. */
  push(sequenceNumber: number): void {
    this.#received++;
    if (this.#highest < 0) {
      this.#first = sequenceNumber;
      this.#highest = sequenceNumber;
      return;
    }
    // The signed 16-bit distance from the highest seen: positive is newer.
    const delta = (((sequenceNumber - this.#highest) & 0xffff) << 16) >> 16;
    if (delta > 0) {
      if (delta > 1) {
        this.#gaps++;
        this.#lost += delta - 1;
      }
      this.#highest += delta;
    } else {
      this.#late++;
      // A late packet most likely fills a hole (a retransmission); a duplicate would not, but
      // without a per-packet history the two cannot be told apart cheaply. Never go below zero.
      if (this.#lost > 0) this.#lost--;
    }
  }

  /** Whether any packet arrived. */
  get started(): boolean {
    return this.#highest >= 0;
  }

  /** The counters now. */
  counts(): SequenceCounts {
    return {
      received: this.#received,
      expected: this.#highest < 0 ? 0 : this.#highest - this.#first + 1,
      lost: this.#lost,
      gaps: this.#gaps,
      late: this.#late,
    };
  }
}

/** The counters accumulated between two snapshots (`after` − `before`). */
export function countsBetween(before: SequenceCounts, after: SequenceCounts): SequenceCounts {
  return {
    received: after.received - before.received,
    // A stream that started inside the window counts from its first packet.
    expected: after.expected - before.expected,
    lost: after.lost - before.lost,
    gaps: after.gaps - before.gaps,
    late: after.late - before.late,
  };
}
