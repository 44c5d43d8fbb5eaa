import { describe, expect, it } from 'vitest';
import { formatMs, summarizeLatencies } from './latency.js';

describe('summarizeLatencies', () => {
  it('takes nearest-rank percentiles, mean and extremes of an unsorted sample', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i); // 200 … 1
    const summary = summarizeLatencies(values);
    expect(summary).toEqual({ count: 200, min: 1, mean: 100.5, p50: 100, p95: 190, p99: 198, max: 200 });
    expect(values[0]).toBe(200); // the input is left alone
  });

  it('rounds to 0.1 ms and reports an empty sample as nulls', () => {
    expect(summarizeLatencies([1.234, 5.678])).toMatchObject({ min: 1.2, p50: 1.2, p99: 5.7, mean: 3.5 });
    expect(summarizeLatencies([])).toEqual({
      count: 0,
      min: null,
      mean: null,
      p50: null,
      p95: null,
      p99: null,
      max: null,
    });
  });

  it('rejects non-finite samples', () => {
    expect(() => summarizeLatencies([1, Number.NaN])).toThrow(/NaN/);
  });
});

describe('formatMs', () => {
  it('shows small latencies with a decimal and large ones grouped', () => {
    expect(formatMs(null)).toBe('–');
    expect(formatMs(3.25)).toBe('3.3');
    expect(formatMs(1234.4)).toBe('1,234');
  });
});
