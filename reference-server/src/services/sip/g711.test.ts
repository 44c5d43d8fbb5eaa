import { describe, expect, it } from 'vitest';
import { alawToLinear, decodeG711, encodeG711, linearToAlaw, linearToMulaw, mulawToLinear } from './g711.js';

describe('G.711', () => {
  it('µ-law matches the reference table', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToMulaw(-1)).toBe(0x7f);
    expect(linearToMulaw(32_767)).toBe(0x80);
    expect(linearToMulaw(-32_768)).toBe(0x00);
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x80)).toBe(32_124);
    expect(mulawToLinear(0x00)).toBe(-32_124);
    expect(mulawToLinear(0xf0)).toBe(120);
  });

  it('A-law matches the reference table', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32_767)).toBe(0xaa);
    expect(linearToAlaw(-32_768)).toBe(0x2a);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32_256);
    expect(alawToLinear(0x2a)).toBe(-32_256);
  });

  it('round-trips every byte exactly and keeps samples within the quantisation step', () => {
    for (let byte = 0; byte < 256; byte++) {
      // µ-law has two zeros (0x7f and 0xff); both decode to 0, which encodes as 0xff.
      if (byte !== 0x7f) expect(linearToMulaw(mulawToLinear(byte))).toBe(byte);
      expect(linearToAlaw(alawToLinear(byte))).toBe(byte);
    }
    const samples = Int16Array.from({ length: 2000 }, (_, i) => Math.round(20_000 * Math.sin(i / 7)));
    for (const law of ['pcmu', 'pcma'] as const) {
      const decoded = decodeG711(encodeG711(samples, law), law);
      for (let i = 0; i < samples.length; i++) {
        const original = samples[i] ?? 0;
        expect(Math.abs((decoded[i] ?? 0) - original)).toBeLessThanOrEqual(
          Math.max(16, Math.abs(original) / 16),
        );
      }
    }
  });
});
