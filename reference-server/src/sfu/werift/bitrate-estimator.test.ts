import { describe, expect, it } from 'vitest';
import {
  MIN_PUBLISHER_BITRATE,
  MIN_SUBSCRIBER_LOSS_BITRATE,
  SubscriberFeedbackEstimator,
} from './bitrate-estimator.js';

const MAX = 2_000_000;

function estimator() {
  const clock = { now: 0 };
  const estimate = new SubscriberFeedbackEstimator({ maxBitrate: MAX, now: () => clock.now });
  /** Advances the clock by one REMB interval and evaluates, as the publisher transport does. */
  const tick = (ms = 1000): number => {
    clock.now += ms;
    return estimate.currentBitrate();
  };
  return { estimate, clock, tick };
}

describe('SubscriberFeedbackEstimator', () => {
  it('announces the configured maximum with no subscribers, or with subscribers that report nothing', () => {
    const { estimate, tick } = estimator();
    expect(tick()).toBe(MAX);
    estimate.addSubscriber(() => 0);
    expect(tick()).toBe(MAX);
  });

  it('follows the lowest subscriber REMB down, smoothly, and never below the floor', () => {
    const { estimate, tick } = estimator();
    const strong = estimate.addSubscriber(() => 0);
    const weak = estimate.addSubscriber(() => 0);
    strong.remb(5_000_000);
    weak.remb(500_000);
    const first = tick();
    // Not at once: 60 % of the drop per second.
    expect(first).toBe(MAX - 0.6 * (MAX - 500_000));
    const series = [first, tick(), tick(), tick(), tick()];
    for (let i = 1; i < series.length; i++) expect(series[i]).toBeLessThanOrEqual(series[i - 1] as number);
    expect(series.at(-1)).toBeLessThan(520_000);
    expect(series.at(-1)).toBeGreaterThanOrEqual(500_000);

    // Chrome repeats its REMB about once a second.
    for (let i = 0; i < 12; i++) {
      weak.remb(20_000);
      tick();
    }
    expect(estimate.announced).toBeGreaterThanOrEqual(MIN_PUBLISHER_BITRATE);
    expect(estimate.announced).toBeLessThan(MIN_PUBLISHER_BITRATE + 100);
  });

  it('for simulcast, follows the subscriber with the best loss estimate, ignoring REMB', () => {
    const { estimate, tick, clock } = estimator();
    estimate.setAggregate('most');
    let sent = 0;
    const lossy = estimate.addSubscriber(() => sent);
    const clean = estimate.addSubscriber(() => sent);
    // The clean subscriber's REMB only tracks the small layer it receives: it must not cap the publisher.
    clean.remb(300_000);
    lossy.receiverReport(0, 1000);
    tick();
    sent += 100;
    lossy.receiverReport(30, 1100); // 30 % loss
    tick();
    expect(estimate.announced).toBe(MAX);
    // Each subscriber's own signals, for its layer choice: the REMB while fresh, the loss estimate below
    // the ceiling (at the ceiling, nothing limits it).
    expect(lossy.signals()).toEqual({ lossBitrate: MAX * (1 - 0.3 / 2) });
    expect(clean.signals()).toEqual({ remb: 300_000, lossBitrate: Number.POSITIVE_INFINITY });
    clock.now += 10_000;
    expect(clean.signals()).toEqual({ lossBitrate: Number.POSITIVE_INFINITY });
  });

  it("keeps lowering a subscriber's loss estimate below the publisher's floor while loss goes on", () => {
    const { estimate, tick } = estimator();
    let sent = 0;
    const squeezed = estimate.addSubscriber(() => sent);
    squeezed.receiverReport(0, 1000);
    tick();
    const estimates: number[] = [];
    for (let i = 1; i <= 12; i++) {
      sent += 100;
      squeezed.receiverReport(60 * i, 1000 + 100 * i); // 60 % loss, every second
      tick();
      estimates.push(squeezed.signals().lossBitrate);
    }
    // Each second of fresh loss shows (the layer selector reads a falling estimate as fresh congestion),
    // well below the publisher's floor, down to the subscriber floor.
    for (let i = 1; i < estimates.length; i++) {
      const [now, before] = [estimates[i] as number, estimates[i - 1] as number];
      if (before > MIN_SUBSCRIBER_LOSS_BITRATE) expect(now).toBeLessThan(before);
    }
    expect(estimates.some((e) => e < MIN_PUBLISHER_BITRATE / 2)).toBe(true);
    expect(Math.min(...estimates)).toBeGreaterThanOrEqual(MIN_SUBSCRIBER_LOSS_BITRATE);
    // What the publisher is told stays at its floor.
    expect(estimate.announced).toBeGreaterThanOrEqual(MIN_PUBLISHER_BITRATE);
  });

  it('climbs back by at most 10 % a second when the weak subscriber recovers or leaves', () => {
    const { estimate, tick } = estimator();
    const weak = estimate.addSubscriber(() => 0);
    for (let i = 0; i < 12; i++) {
      weak.remb(400_000);
      tick();
    }
    expect(estimate.announced).toBeLessThan(401_000);
    weak.close();
    let previous = estimate.announced;
    for (let i = 0; i < 5; i++) {
      const next = tick();
      expect(next).toBeGreaterThan(previous);
      expect(next).toBeLessThanOrEqual(Math.round(previous * 1.1) + 1);
      previous = next;
    }
    for (let i = 0; i < 30; i++) tick();
    expect(estimate.announced).toBe(MAX);
  });

  it('does not oscillate when a REMB hovers around a level', () => {
    const { estimate, tick } = estimator();
    const subscriber = estimate.addSubscriber(() => 0);
    for (let i = 0; i < 15; i++) {
      subscriber.remb(i % 2 === 0 ? 800_000 : 900_000);
      tick();
    }
    const levels: number[] = [];
    for (let i = 0; i < 10; i++) {
      subscriber.remb(i % 2 === 0 ? 800_000 : 900_000);
      levels.push(tick());
    }
    // Rises are slow (≤ 10 %/s) and drops close part of the gap, so it stays within the band.
    expect(Math.max(...levels) - Math.min(...levels)).toBeLessThan(100_000);
    expect(Math.min(...levels)).toBeGreaterThanOrEqual(800_000);
  });

  it('lowers a subscriber’s share on heavy loss (receiver reports or NACKs) and ignores paused ones', () => {
    const { estimate, tick } = estimator();
    let sent = 0;
    const lossy = estimate.addSubscriber(() => sent);
    lossy.receiverReport(0, 1000); // the baseline
    tick();
    sent += 100;
    lossy.receiverReport(30, 1100); // 30 of 100 lost: the loss estimate shrinks by 15 %
    tick();
    sent += 100;
    lossy.nacked(30); // 30 NACKed of 100 forwarded: same signal from NACKs
    const afterTwo = tick();
    expect(afterTwo).toBeLessThan(MAX);
    for (let i = 0; i < 10; i++) {
      sent += 100;
      lossy.nacked(30);
      tick();
    }
    expect(estimate.announced).toBeLessThan(500_000);

    // Paused, its feedback no longer limits the publisher: the estimate climbs back.
    lossy.setActive(false);
    const paused = tick();
    expect(tick()).toBeGreaterThan(paused);
  });

  it('prefers the receiver reports’ loss to the NACK share, which reordering inflates', () => {
    const { estimate, tick } = estimator();
    let sent = 0;
    const subscriber = estimate.addSubscriber(() => sent);
    subscriber.receiverReport(0, 5000); // the baseline
    tick();
    for (let i = 1; i <= 5; i++) {
      sent += 100;
      subscriber.nacked(40); // reordered packets NACKed before they arrived
      // Chrome reports with each NACK; over the second, 1 of 100 was really lost.
      subscriber.receiverReport(i - 1, 5000 + i * 100 - 50);
      subscriber.receiverReport(i, 5000 + i * 100);
      expect(tick()).toBe(MAX);
    }
    // Without reports, the NACK share is all there is.
    for (let i = 0; i < 3; i++) {
      sent += 100;
      subscriber.nacked(40);
      tick();
    }
    expect(estimate.announced).toBeLessThan(MAX);
  });

  it('a moderate loss holds the estimate, and a clean stream lets it grow', () => {
    const { estimate, tick } = estimator();
    let sent = 0;
    const subscriber = estimate.addSubscriber(() => sent);
    for (let i = 0; i < 5; i++) {
      sent += 100;
      subscriber.nacked(40);
      tick();
    }
    const low = estimate.announced;
    for (let i = 0; i < 3; i++) {
      sent += 100;
      subscriber.nacked(5); // 5 %: between the thresholds
      tick();
    }
    // The loss estimate held; the announced value converges onto it without going above.
    expect(estimate.announced).toBeLessThanOrEqual(low);
    for (let i = 0; i < 5; i++) {
      sent += 100;
      tick();
    }
    expect(estimate.announced).toBeGreaterThan(low);
  });

  it('forgets a REMB that stopped arriving, and ignores nonsense', () => {
    const { estimate, tick } = estimator();
    const subscriber = estimate.addSubscriber(() => 0);
    subscriber.remb(300_000);
    subscriber.remb(Number.NaN);
    subscriber.remb(-5);
    subscriber.receiverReport(7, -1);
    subscriber.receiverReport(1.5, 100);
    tick();
    expect(estimate.announced).toBeLessThan(MAX);
    for (let i = 0; i < 40; i++) tick();
    expect(estimate.announced).toBe(MAX);
  });

  it('validates its bounds', () => {
    expect(() => new SubscriberFeedbackEstimator({ maxBitrate: 0 })).toThrow(/maxBitrate/);
    expect(() => new SubscriberFeedbackEstimator({ maxBitrate: 1000, minBitrate: 2000 })).toThrow(
      /minBitrate/,
    );
    // A ceiling under the default floor lowers the floor.
    expect(new SubscriberFeedbackEstimator({ maxBitrate: 50_000 }).currentBitrate()).toBe(50_000);
  });
});
