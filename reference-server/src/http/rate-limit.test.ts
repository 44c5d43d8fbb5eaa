import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from './rate-limit.js';

describe('TokenBucketLimiter', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('p').allowed)).toEqual([true, true, true]);
    expect(limiter.take('p')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500;
    expect(limiter.take('p').allowed).toBe(true);
    expect(limiter.take('p').allowed).toBe(false);
    now += 10_000;
    expect(limiter.take('p')).toEqual({ allowed: true, remaining: 2 });
  });

  it('rounds Retry-After up to whole seconds for slow rates', () => {
    const limiter = new TokenBucketLimiter({ ratePerSecond: 0.25, burst: 1, now: () => 0 });
    limiter.take('p');
    expect(limiter.take('p')).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });

  it('keeps buckets apart and forgets idle ones when full', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1, now: () => now, maxKeys: 2 });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    now += 5000;
    // Both buckets have refilled; adding a third key drops them without changing any decision.
    expect(limiter.take('c').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('rejects impossible settings', () => {
    expect(() => new TokenBucketLimiter({ ratePerSecond: 0, burst: 1 })).toThrow('ratePerSecond');
    expect(() => new TokenBucketLimiter({ ratePerSecond: 1, burst: 0 })).toThrow('burst');
  });
});
