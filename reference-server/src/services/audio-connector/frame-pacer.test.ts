import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FramePacer } from './frame-pacer.js';

let clock = 0;
beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

/** Advances the fake timers and the pacer's clock together, in steps of `step` ms. */
function advance(ms: number, step = 1): void {
  for (let done = 0; done < ms; done += step) {
    clock += step;
    vi.advanceTimersByTime(step);
  }
}

describe('FramePacer', () => {
  it('ticks once per period on a fixed schedule', () => {
    const ticks: number[] = [];
    const pacer = new FramePacer({ periodMs: 20, now: () => clock, onTick: (i) => ticks.push(i) });
    pacer.start();
    advance(1000);
    expect(ticks).toHaveLength(50);
    expect(ticks.slice(0, 3)).toEqual([0, 1, 2]);
    pacer.stop();
    advance(100);
    expect(ticks).toHaveLength(50);
  });

  it('catches up after a late timer, and restarts the schedule after a long stall', () => {
    const ticks: number[] = [];
    const pacer = new FramePacer({
      periodMs: 20,
      maxCatchUp: 10,
      now: () => clock,
      onTick: (i) => ticks.push(i),
    });
    pacer.start();
    clock = 95; // The event loop was busy: the 20 ms timer runs at 95 ms, when four ticks are due.
    vi.advanceTimersByTime(20);
    expect(ticks).toEqual([0, 1, 2, 3]);
    clock += 1000; // A stall of 50 periods: one tick, then the schedule goes on from now.
    vi.advanceTimersByTime(5);
    expect(ticks).toHaveLength(5);
    advance(200);
    expect(ticks).toHaveLength(15);
    pacer.stop();
  });

  it('refuses a non-positive period', () => {
    expect(() => new FramePacer({ periodMs: 0, onTick: () => undefined })).toThrow('periodMs');
  });
});
