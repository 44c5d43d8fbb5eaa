import { describe, expect, it } from 'vitest';
import { distribution, mapConcurrently, percentile } from './summary.js';

describe('load report statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 95)).toBe(10);
    expect(percentile([], 50)).toBeNull();
    expect(distribution([3.21, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3.2, max: 3.2 });
  });

  it('bounds concurrency and keeps the order of results', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('starts nothing after a failure and rejects once the running tasks settled', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = mapConcurrently([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await new Promise((resolve) => setTimeout(resolve, n === 1 ? 1 : 20));
      settled.push(n);
      if (n === 1) throw new Error('client 1 failed');
      return n;
    });
    await expect(run).rejects.toThrow('client 1 failed');
    expect(started).toEqual([1, 2]);
    expect(settled.sort()).toEqual([1, 2]);
  });
});
