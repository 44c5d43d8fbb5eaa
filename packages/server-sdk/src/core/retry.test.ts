import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isRetryableResponse, retryDelayMs, serverRequestedDelayMs } from './retry.js';

describe('retry policy', () => {
  it('backs off exponentially up to the cap, with at most 25 % jitter', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined, DEFAULT_RETRY_POLICY, noJitter))).toEqual(
      [500, 1000, 2000, 4000, 8000, 8000],
    );
    expect(retryDelayMs(1, undefined, DEFAULT_RETRY_POLICY, () => 0.999)).toBe(750);
  });

  it('reads Retry-After as seconds or an HTTP date, and retry-after-ms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(serverRequestedDelayMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(serverRequestedDelayMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }, now)).toBe(5000);
    expect(serverRequestedDelayMs({ 'retry-after-ms': '150', 'retry-after': '9' }, now)).toBe(150);
    expect(serverRequestedDelayMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });

  it('gives up on waits over 60 s', () => {
    expect(retryDelayMs(0, { 'retry-after': '61' }, DEFAULT_RETRY_POLICY)).toBeUndefined();
    expect(retryDelayMs(0, { 'retry-after': '60' }, DEFAULT_RETRY_POLICY)).toBe(60_000);
  });

  it('retries 408, 429 and 5xx but not 501, unless the server says otherwise', () => {
    expect([400, 404, 408, 409, 429, 500, 501, 502, 503].filter((s) => isRetryableResponse(s, {}))).toEqual([
      408, 429, 500, 502, 503,
    ]);
    expect(isRetryableResponse(503, { 'x-should-retry': 'false' })).toBe(false);
    expect(isRetryableResponse(400, { 'x-should-retry': 'true' })).toBe(true);
  });
});
