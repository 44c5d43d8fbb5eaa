/**
 * Delivery accounting over a measurement window, anchored at the publishers: every subscriber track is
 * expected to receive what its publisher's track sent in the window, so a subscriber that receives
 * nothing has delivery 0 instead of dropping out of the figure (the sequence numbers of a silent track
 * say nothing was sent).
 *
 * Both ends are read in the load generator at the same instant, so the packets in flight at the start
 * of the window (received in it, sent before it) balance those in flight at its end (sent in it,
 * received after it): at a steady rate the two cancel, and the ratio is unbiased.
 */
import type { SequenceCounts } from './sequence-tracker.js';

/** One subscriber track, read at the start and at the end of the window. */
export interface TrackWindow {
  /** Packets its publisher's track had sent at the start and at the end of the window. */
  sentBefore: number;
  sentAfter: number;
  /** The subscriber track's sequence counters (undefined: no packet had arrived yet). */
  before: SequenceCounts | undefined;
  after: SequenceCounts | undefined;
}

/** What subscribers received compared with what their publishers sent. */
export interface DeliverySummary {
  /**
   * `received / expected`, at most 1: 1 when every packet sent reached every subscriber, 0 with nothing
   * expected.
   */
  ratio: number;
  /** Packets the publishers sent in the window, counted once per subscriber track. */
  expected: number;
  /** Distinct packets the subscribers received (holes filled by a late packet count). */
  received: number;
  /** `expected − received` (negative values, from packets in flight at the edges, are kept). */
  lost: number;
  /** Jumps in sequence numbers (bursts of missing packets) seen by the subscribers. */
  sequenceGaps: number;
  /** Packets older than the newest seen (reordered, retransmitted or duplicated). */
  late: number;
  /** Subscriber tracks, including those that never received anything. */
  tracks: number;
  /** Tracks whose publisher sent in the window but which received nothing in it. */
  silentTracks: number;
}

const ZERO: SequenceCounts = { received: 0, expected: 0, lost: 0, gaps: 0, late: 0 };

/** Distinct packets a tracker has accounted for: its sequence span minus the holes still open. */
const distinct = (counts: SequenceCounts): number => counts.expected - counts.lost;

/** Sums the window of every subscriber track. */
export function summarizeDelivery(tracks: readonly TrackWindow[]): DeliverySummary {
  let expected = 0;
  let received = 0;
  let gaps = 0;
  let late = 0;
  let silent = 0;
  for (const track of tracks) {
    const before = track.before ?? ZERO;
    const after = track.after ?? ZERO;
    const sent = track.sentAfter - track.sentBefore;
    // A tracker that started inside the window counts its first packet as received and expected, so
    // the difference of distinct packets covers it too.
    const got = distinct(after) - distinct(before);
    expected += sent;
    received += got;
    gaps += after.gaps - before.gaps;
    late += after.late - before.late;
    if (sent > 0 && after.received === before.received) silent++;
  }
  return {
    // Packets in flight at the edges can tip `received` a few packets above `expected`; 1 is the cap.
    ratio: expected > 0 ? Math.min(1, Math.round((received / expected) * 1e5) / 1e5) : 0,
    expected,
    received,
    lost: expected - received,
    sequenceGaps: gaps,
    late,
    tracks: tracks.length,
    silentTracks: silent,
  };
}
