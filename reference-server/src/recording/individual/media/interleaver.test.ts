import { describe, expect, it } from 'vitest';
import { Interleaver, type TimedFrame } from './interleaver.js';

const times = (frames: TimedFrame[]): [number, number][] => frames.map((f) => [f.track, f.timeMs]);

describe('Interleaver', () => {
  it('releases frames in time order once every sending track has reached them', () => {
    const interleaver = new Interleaver<TimedFrame>([1, 2], 500);
    // Track 2 has not sent yet: it holds nothing back (video waits for its first keyframe).
    expect(times(interleaver.push({ track: 1, timeMs: 0 }))).toEqual([[1, 0]]);
    expect(times(interleaver.push({ track: 2, timeMs: 10 }))).toEqual([]);
    expect(times(interleaver.push({ track: 1, timeMs: 33 }))).toEqual([[2, 10]]);
    expect(times(interleaver.push({ track: 2, timeMs: 30 }))).toEqual([[2, 30]]);
    expect(times(interleaver.push({ track: 2, timeMs: 50 }))).toEqual([[1, 33]]);
    expect(times(interleaver.push({ track: 1, timeMs: 40 }))).toEqual([[1, 40]]);
    expect(times(interleaver.flush())).toEqual([[2, 50]]);
  });

  it('stops waiting for a track once it is silent for longer than the hold time', () => {
    const interleaver = new Interleaver<TimedFrame>([1, 2], 500);
    interleaver.push({ track: 1, timeMs: 0 });
    interleaver.push({ track: 2, timeMs: 0 });
    expect(times(interleaver.push({ track: 2, timeMs: 400 }))).toEqual([]);
    expect(times(interleaver.push({ track: 2, timeMs: 600 }))).toEqual([
      [2, 400],
      [2, 600],
    ]);
  });
});
