import { describe, expect, it } from 'vitest';
import { randomBase64Url } from './random-pool.js';

describe('randomBase64Url', () => {
  it('returns the requested number of bytes as base64url', () => {
    for (const length of [1, 16, 33, 4096]) {
      const text = randomBase64Url(length);
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(text, 'base64url')).toHaveLength(length);
    }
  });

  it('never hands out the same bytes twice, across refills of the pool', () => {
    const seen = new Set<string>();
    // 1,000 draws of 16 bytes span four refills of the 4 KiB pool.
    for (let i = 0; i < 1000; i++) seen.add(randomBase64Url(16));
    expect(seen.size).toBe(1000);
  });

  it('refuses a length it cannot serve, naming it', () => {
    expect(() => randomBase64Url(0)).toThrow('length must be an integer from 1 to 4096, got 0');
    expect(() => randomBase64Url(4097)).toThrow(RangeError);
    expect(() => randomBase64Url(1.5)).toThrow(RangeError);
  });
});
