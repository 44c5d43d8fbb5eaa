/**
 * When to retry a failed attempt and how long to wait first. Pure functions, so the policy is tested
 * without clocks or sockets.
 */

/** The tunable part of the retry policy. */
export interface RetryPolicy {
  /** Retries after the first attempt; `0` disables retrying. */
  maxRetries: number;
  /** The first backoff delay, doubled on each retry. */
  initialDelayMs: number;
  /** The cap of the backoff delay. */
  maxDelayMs: number;
}

/** The defaults: two retries, backing off from 0.5 s to at most 8 s. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
};

/** A server-requested wait longer than this is not waited out: the error is thrown instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Whether a response with `status` may be retried: 408 (request timeout), 429 (rate limited) and every
 * 5xx except 501, which says the server does not implement the operation at all — asking again cannot
 * change that. A server can override the decision with `x-should-retry: true|false`.
 */
export function isRetryableResponse(status: number, headers: Readonly<Record<string, string>>): boolean {
  const override = headers['x-should-retry'];
  if (override === 'true') return true;
  if (override === 'false') return false;
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/**
 * The wait the server asked for, in milliseconds, from `retry-after-ms` or `retry-after` (seconds or an
 * HTTP date). `undefined` when absent or unparsable.
 */
export function serverRequestedDelayMs(
  headers: Readonly<Record<string, string>> | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers['retry-after'];
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retry number `retry` (0 for the first retry), or `undefined` when the server
 * asked for a wait over {@link MAX_RETRY_AFTER_MS}, in which case retrying early would be pointless.
 * Without a server-requested wait: exponential backoff with up to 25 % jitter, so clients that failed
 * together do not retry together.
 */
export function retryDelayMs(
  retry: number,
  headers: Readonly<Record<string, string>> | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  const requested = serverRequestedDelayMs(headers);
  if (requested !== undefined) return requested <= MAX_RETRY_AFTER_MS ? requested : undefined;
  const base = Math.min(policy.initialDelayMs * 2 ** retry, policy.maxDelayMs);
  return Math.round(base * (1 - random() * 0.25));
}
