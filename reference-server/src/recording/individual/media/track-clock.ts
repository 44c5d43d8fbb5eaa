/**
 * Turns a track's RTP timestamps into times in its file (ms from the file's start). The first packet
 * anchors the track at its arrival time, later ones follow the sender's media clock (so jitter in
 * arrival does not reach the file, and audio and video stay in step). The track is anchored again at
 * the arrival time (never going backwards) when the media clock leaves wall time:
 *
 * - by more than {@link LAG_RESYNC_MS} behind it: the sender stalled and produced less media than time
 *   passed (a starved encoder); the file gets a gap, and stays aligned with the wall-clock offsets of
 *   the manifest and with the other streams' files;
 * - by more than {@link AHEAD_RESYNC_MS} ahead of it: the publisher restarted its track (new SSRC or a
 *   new random timestamp base).
 */

/** How far the media clock may lag wall time before the track is re-anchored, ms. */
export const LAG_RESYNC_MS = 500;
/** How far the media clock may run ahead of wall time before the track is re-anchored, ms. */
export const AHEAD_RESYNC_MS = 3000;

/** See the file comment. */
export class TrackClock {
  readonly #clockRate: number;
  readonly #fileStartedAt: number;
  #anchor: { timestamp: number; timeMs: number; ssrc: number } | null = null;
  /** The last RTP timestamp seen, and how far (in ticks) it is from the anchor, across wraps. */
  #last = { timestamp: 0, ticks: 0 };
  #lastTimeMs = 0;

  constructor(clockRate: number, fileStartedAt: number) {
    this.#clockRate = clockRate;
    this.#fileStartedAt = fileStartedAt;
  }

  /** The file time of a frame with this RTP timestamp and SSRC, that arrived at `arrivedAt` (epoch ms). */
  timeMs(timestamp: number, ssrc: number, arrivedAt: number): number {
    const wall = arrivedAt - this.#fileStartedAt;
    const anchor = this.#anchor;
    if (anchor && anchor.ssrc === ssrc) {
      // Signed 32-bit difference: timestamps wrap, and a reordered frame may be slightly older.
      const step = (timestamp - this.#last.timestamp) | 0;
      const ticks = this.#last.ticks + step;
      const time = anchor.timeMs + (ticks * 1000) / this.#clockRate;
      if (wall - time <= LAG_RESYNC_MS && time - wall <= AHEAD_RESYNC_MS) {
        this.#last = { timestamp, ticks };
        this.#lastTimeMs = Math.max(this.#lastTimeMs, time);
        return time;
      }
    }
    const start = Math.max(0, wall, this.#lastTimeMs);
    this.#anchor = { timestamp, timeMs: start, ssrc };
    this.#last = { timestamp, ticks: 0 };
    this.#lastTimeMs = start;
    return start;
  }
}
