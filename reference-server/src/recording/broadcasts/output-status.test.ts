import { describe, expect, it } from 'vitest';
import { RtmpStatusTracker } from './output-status.js';

const dead = '[tee @ 0x55addeb9dbc0] Slave muxer #2 failed: Connection refused, continuing with 2/3 slaves.';

describe('RtmpStatusTracker', () => {
  it('maps tee slave failures to targets and infers live once the playlist is written', () => {
    const tracker = new RtmpStatusTracker(2);
    expect(tracker.onLog('[flv @ 0x1] Failed to update header with correct duration.', 1000)).toBeNull();
    expect(tracker.onLog(dead, 1100)).toBe(1);
    expect(tracker.failureReason(1)).toBe('Connection refused');
    // Process started at 1000, nothing muxed yet.
    expect(
      tracker.evaluate(['connecting', 'connecting'], { processStartedAt: 1000, playlistWrittenAt: null }),
    ).toEqual(['connecting', 'error']);
    // A playlist written by an older process does not count.
    expect(
      tracker.evaluate(['connecting', 'connecting'], { processStartedAt: 1000, playlistWrittenAt: 900 }),
    ).toEqual(['connecting', 'error']);
    expect(
      tracker.evaluate(['connecting', 'error'], { processStartedAt: 1000, playlistWrittenAt: 3000 }),
    ).toEqual(['live', 'error']);
  });

  it('reports a live target as offline while no composer runs and retries failed targets with a new one', () => {
    const tracker = new RtmpStatusTracker(2);
    tracker.onLog(dead, 1100);
    expect(tracker.evaluate(['live', 'error'], { processStartedAt: null, playlistWrittenAt: 3000 })).toEqual([
      'offline',
      'error',
    ]);
    // A new process (started after the failure) tries the failed target again.
    expect(
      tracker.evaluate(['offline', 'error'], { processStartedAt: 5000, playlistWrittenAt: 3000 }),
    ).toEqual(['offline', 'connecting']);
    expect(
      tracker.evaluate(['offline', 'connecting'], { processStartedAt: 5000, playlistWrittenAt: 6000 }),
    ).toEqual(['live', 'live']);
    expect(tracker.evaluate(['ended', 'ended'], { processStartedAt: 5000, playlistWrittenAt: 6000 })).toEqual(
      ['ended', 'ended'],
    );
  });

  it('ignores failures of the HLS slave and of unknown slaves', () => {
    const tracker = new RtmpStatusTracker(1);
    expect(tracker.onLog('[tee @ 0x1] Slave muxer #0 failed: No space left on device', 1)).toBeNull();
    expect(tracker.onLog('[tee @ 0x1] Slave muxer #7 failed: x', 1)).toBeNull();
  });
});
