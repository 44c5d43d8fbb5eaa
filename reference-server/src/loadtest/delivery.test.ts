import { describe, expect, it } from 'vitest';
import { summarizeDelivery } from './delivery.js';
import { SequenceTracker } from './sequence-tracker.js';

/** A tracker fed with `sequenceNumbers`. */
function tracked(...sequenceNumbers: number[]): SequenceTracker {
  const tracker = new SequenceTracker();
  for (const sequenceNumber of sequenceNumbers) tracker.push(sequenceNumber);
  return tracker;
}

describe('summarizeDelivery', () => {
  it('counts a subscriber track that received nothing as delivery 0, not as no data', () => {
    const flowing = tracked(1, 2, 3);
    const before = flowing.counts();
    for (let seq = 4; seq <= 103; seq++) flowing.push(seq);
    const summary = summarizeDelivery([
      { sentBefore: 3, sentAfter: 103, before, after: flowing.counts() },
      // Its publisher sent 100 packets in the window; nothing arrived (no track event even).
      { sentBefore: 3, sentAfter: 103, before: undefined, after: undefined },
    ]);
    expect(summary).toMatchObject({ expected: 200, received: 100, lost: 100, tracks: 2, silentTracks: 1 });
    expect(summary.ratio).toBe(0.5);
  });

  it('counts a track that starts inside the window from its first packet against everything sent', () => {
    // The publisher sent 10 packets in the window; the subscriber got only the last 4 (a slow start).
    const late = tracked(107, 108, 109, 110);
    const summary = summarizeDelivery([
      { sentBefore: 0, sentAfter: 10, before: undefined, after: late.counts() },
    ]);
    expect(summary).toMatchObject({ expected: 10, received: 4, silentTracks: 0 });
    expect(summary.ratio).toBe(0.4);
  });

  it('counts holes filled by late packets (retransmissions) as received, and reports gaps', () => {
    const tracker = tracked(10);
    const before = tracker.counts();
    for (const seq of [11, 13, 14, 12, 15]) tracker.push(seq);
    const summary = summarizeDelivery([{ sentBefore: 1, sentAfter: 6, before, after: tracker.counts() }]);
    expect(summary).toMatchObject({ expected: 5, received: 5, lost: 0, sequenceGaps: 1, late: 1 });
    expect(summary.ratio).toBe(1);
  });

  it('has ratio 0 when nothing was expected', () => {
    expect(summarizeDelivery([]).ratio).toBe(0);
  });
});

describe('summarizeDelivery at the window edges', () => {
  it('caps the ratio at 1 when packets in flight at the start make received exceed sent', () => {
    // Sent before the window, received in it: 11 distinct packets against 10 sent in the window.
    const tracker = tracked(100);
    const before = tracker.counts();
    for (let seq = 101; seq <= 111; seq++) tracker.push(seq);
    const summary = summarizeDelivery([{ sentBefore: 5, sentAfter: 15, before, after: tracker.counts() }]);
    expect(summary).toMatchObject({ expected: 10, received: 11, lost: -1 });
    expect(summary.ratio).toBe(1);
  });
});
