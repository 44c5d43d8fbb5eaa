/**
 * Merges the frames of a file's tracks into one time-ordered sequence, as Matroska wants its blocks.
 * Frames are held until every track that is still sending has reached their time; a track silent for
 * more than {@link Interleaver} `maxHoldMs` behind the others (a muted camera, audio in DTX) stops
 * holding them back, so nothing waits on it for more than that.
 */

/** A frame of one track, with its time in the file. */
export interface TimedFrame {
  track: number;
  timeMs: number;
}

/** See the file comment. */
export class Interleaver<T extends TimedFrame> {
  readonly #maxHoldMs: number;
  readonly #latest = new Map<number, number>();
  #held: T[] = [];

  constructor(tracks: readonly number[], maxHoldMs = 500) {
    this.#maxHoldMs = maxHoldMs;
    for (const track of tracks) this.#latest.set(track, Number.NEGATIVE_INFINITY);
  }

  /** Takes a frame; returns the frames that can be written now, oldest first. */
  push(frame: T): T[] {
    this.#latest.set(frame.track, Math.max(this.#latest.get(frame.track) ?? frame.timeMs, frame.timeMs));
    this.#held.push(frame);
    const newest = Math.max(...this.#latest.values());
    let watermark = newest;
    for (const latest of this.#latest.values()) {
      if (latest >= newest - this.#maxHoldMs) watermark = Math.min(watermark, latest);
    }
    return this.#release(watermark);
  }

  /** Every held frame, oldest first (the file ends). */
  flush(): T[] {
    return this.#release(Number.POSITIVE_INFINITY);
  }

  #release(watermark: number): T[] {
    const ready: T[] = [];
    const kept: T[] = [];
    for (const frame of this.#held) (frame.timeMs <= watermark ? ready : kept).push(frame);
    this.#held = kept;
    // A stable sort: frames of one track keep their order when times tie.
    return ready.sort((a, b) => a.timeMs - b.timeMs);
  }
}
