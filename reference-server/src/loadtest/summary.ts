/** Small statistics helpers for load reports. */

/** Percentiles of a sample, in the sample's unit, rounded to 0.1. */
export interface Distribution {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** The nearest-rank percentile `p` (0–100) of `sorted` (ascending); null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

const round1 = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10);

/** p50, p95 and max of `values`. */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round1(percentile(sorted, 50)),
    p95: round1(percentile(sorted, 95)),
    max: round1(sorted.at(-1) ?? null),
  };
}

/**
 * Runs `task` over `items` with at most `concurrency` at a time. After the first failure no new item
 * starts; the promise rejects with that failure once the tasks already running have settled, so the
 * caller's cleanup never races a task that is still creating things.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (failure) throw failure.error;
  return results;
}
