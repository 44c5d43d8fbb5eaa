/**
 * Latency summaries for the signaling and time-to-first-frame benchmarks: the tail matters there (the
 * goals are on p99), so these carry p99 as well as the p50/p95 of the SFU load report.
 */
import { percentile } from '../summary.js';

/** A latency sample summarised, in milliseconds rounded to 0.1 (null when the sample is empty). */
export interface LatencySummary {
  count: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

const round1 = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10);

/** Summarises `values` (any order; not modified). Non-finite values are rejected: they are measuring bugs. */
export function summarizeLatencies(values: readonly number[]): LatencySummary {
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`latency sample contains ${value}`);
  }
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const value of sorted) total += value;
  const list = Array.from(sorted);
  return {
    count: list.length,
    min: round1(list[0] ?? null),
    mean: round1(list.length > 0 ? total / list.length : null),
    p50: round1(percentile(list, 50)),
    p95: round1(percentile(list, 95)),
    p99: round1(percentile(list, 99)),
    max: round1(list.at(-1) ?? null),
  };
}

/** Formats a latency for a Markdown table: `–` when unknown, one decimal below 10 ms, whole ms above. */
export function formatMs(value: number | null): string {
  if (value === null) return '–';
  return value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}
