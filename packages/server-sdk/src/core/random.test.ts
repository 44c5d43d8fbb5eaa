import { describe, expect, it } from 'vitest';
import { randomHex } from './random.js';

describe('randomHex', () => {
  it('returns lower-case hex of the requested length, different each time, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const value = randomHex(8); // 8000 bytes: several refills of the 2 KiB pool
      expect(value).toMatch(/^[0-9a-f]{16}$/);
      seen.add(value);
    }
    expect(seen.size).toBe(1000);
  });

  it('rejects byte counts outside the pool', () => {
    expect(() => randomHex(0)).toThrow(RangeError);
    expect(() => randomHex(4096)).toThrow(RangeError);
    expect(() => randomHex(1.5)).toThrow(RangeError);
  });
});
