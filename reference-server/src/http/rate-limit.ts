/**
 * Per-project rate limiting with token buckets: each project may send `burst` requests at once and
 * `ratePerSecond` sustained. A request that finds the bucket empty gets 429 with `Retry-After`.
 */

/** Options of {@link TokenBucketLimiter}. */
export interface RateLimitOptions {
  /** Tokens added per second (the sustained rate). Must be > 0. */
  ratePerSecond: number;
  /** Bucket size (the largest burst). Must be ≥ 1. */
  burst: number;
  /** The clock, in ms. */
  now?: () => number;
  /** Buckets kept before idle (full) ones are dropped; bounds memory. Default 10 000. */
  maxKeys?: number;
}

/** The outcome of {@link TokenBucketLimiter.take}. */
export type RateLimitDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A set of token buckets, one per key (the project's application ID). */
export class TokenBucketLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be greater than 0');
    if (!(options.burst >= 1)) throw new RangeError('burst must be at least 1');
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Takes one token from `key`'s bucket. */
  take(key: string): RateLimitDecision {
    const now = this.#now();
    const bucket = this.#refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    const secondsUntilToken = (1 - bucket.tokens) / this.#rate;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(secondsUntilToken)) };
  }

  #refill(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#evictIdle(now);
      bucket = { tokens: this.#burst, updatedAt: now };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.#burst, bucket.tokens + elapsedSeconds * this.#rate);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Drops buckets that have refilled completely: forgetting them changes no decision. */
  #evictIdle(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      const tokens = bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) * this.#rate;
      if (tokens >= this.#burst) this.#buckets.delete(key);
    }
  }
}
