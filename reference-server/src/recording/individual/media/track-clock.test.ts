import { describe, expect, it } from 'vitest';
import { AHEAD_RESYNC_MS, LAG_RESYNC_MS, TrackClock } from './track-clock.js';

describe('TrackClock', () => {
  it('anchors at the first arrival and then follows the media clock, not the arrival jitter', () => {
    const clock = new TrackClock(90_000, 1_000);
    expect(clock.timeMs(5_000, 1, 1_200)).toBe(200);
    expect(clock.timeMs(5_000 + 9_000, 1, 1_330)).toBe(300); // arrived 30 ms late
    expect(clock.timeMs(5_000 + 18_000, 1, 1_390)).toBe(400); // and 10 ms early
  });

  it('follows the 32-bit timestamp across its wrap', () => {
    const clock = new TrackClock(48_000, 0);
    const start = 2 ** 32 - 480;
    expect(clock.timeMs(start, 1, 0)).toBe(0);
    expect(clock.timeMs(480, 1, 20)).toBe(20);
  });

  it('re-anchors at wall time when the media lags (a stalled sender) or jumps ahead (a restart)', () => {
    const clock = new TrackClock(1_000, 0);
    clock.timeMs(0, 1, 0);
    // Only 100 ms of media in 100 + LAG_RESYNC_MS + 1 ms of wall time: the file gets a gap.
    const lagWall = 100 + LAG_RESYNC_MS + 1;
    expect(clock.timeMs(100, 1, lagWall)).toBe(lagWall);
    expect(clock.timeMs(110, 1, lagWall + 10)).toBe(lagWall + 10);
    // A timestamp far ahead (new random base): anchored at wall time, never earlier than before.
    const wall = lagWall + 20;
    expect(clock.timeMs(110 + AHEAD_RESYNC_MS * 2, 1, wall)).toBe(wall);
    // A new SSRC re-anchors too.
    expect(clock.timeMs(42, 2, wall + 20)).toBe(wall + 20);
  });
});
