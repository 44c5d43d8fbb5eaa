import { describe, expect, it } from 'vitest';
import { countsBetween, SequenceTracker } from './sequence-tracker.js';

function track(sequence: number[]): SequenceTracker {
  const tracker = new SequenceTracker();
  for (const n of sequence) tracker.push(n);
  return tracker;
}

describe('SequenceTracker', () => {
  it('counts a continuous stream across the 16-bit wrap as complete', () => {
    expect(track([65533, 65534, 65535, 0, 1, 2]).counts()).toEqual({
      received: 6,
      expected: 6,
      lost: 0,
      gaps: 0,
      late: 0,
    });
  });

  it('counts holes as lost and each jump as one gap', () => {
    expect(track([10, 11, 14, 15, 20]).counts()).toMatchObject({
      received: 5,
      expected: 11,
      lost: 6,
      gaps: 2,
    });
  });

  it('lets a late packet fill a hole', () => {
    expect(track([65535, 1, 0]).counts()).toMatchObject({
      received: 3,
      expected: 3,
      lost: 0,
      gaps: 1,
      late: 1,
    });
  });

  it('measures what happened between two snapshots', () => {
    const tracker = track([1, 2, 3]);
    const before = tracker.counts();
    for (const n of [4, 6, 7]) tracker.push(n);
    expect(countsBetween(before, tracker.counts())).toEqual({
      received: 3,
      expected: 4,
      lost: 1,
      gaps: 1,
      late: 0,
    });
  });
});
