/**
 * `Idempotency-Key` replay. The first `POST` with a key runs normally and its response is stored for 24
 * hours; a repeat with the same key, method, path and body gets the stored response (marked with
 * `Idempotent-Replayed: true`) instead of acting twice. A key reused for a different request is refused,
 * and so is a repeat that arrives while the first is still running.
 */
import { createHash } from 'node:crypto';
import type { IdempotencyRecord, Store } from '../store/types.js';
import { ApiError } from './errors.js';

/** How long a stored response is replayed, in ms (24 hours, as the spec says). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Response headers that are stored and replayed; the rest are per-response (dates, request IDs). */
const REPLAYED_HEADERS = ['content-type', 'location', 'retry-after'];

/** The fingerprint of a request: method, path and body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  const serialised =
    body === undefined ? '' : Buffer.isBuffer(body) ? body.toString('base64') : JSON.stringify(body);
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${serialised}`).digest('hex');
}

/** What {@link IdempotencyGuard.begin} decided. */
export type IdempotencyDecision =
  | { kind: 'replay'; record: IdempotencyRecord }
  | {
      kind: 'proceed';
      /** Stores the response of the first request (call it once the response is known). */
      complete(statusCode: number, headers: Record<string, unknown>, body: string): Promise<void>;
      /** Releases the key without storing anything (the request failed with a server error). */
      release(): void;
    };

/** Coordinates idempotent requests through `store.idempotency`. */
export class IdempotencyGuard {
  readonly #store: Store;
  readonly #now: () => number;
  /** Keys whose first request is still running in this process. */
  readonly #inFlight = new Set<string>();

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** Looks the key up; throws {@link ApiError} 409 for a conflicting or concurrent reuse. */
  async begin(applicationId: string, key: string, fingerprint: string): Promise<IdempotencyDecision> {
    const slot = `${applicationId}\u0000${key}`;
    if (this.#inFlight.has(slot)) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_IN_USE',
        `A request with Idempotency-Key ${key} is still being processed`,
      );
    }
    const existing = await this.#store.idempotency.get(applicationId, key);
    if (existing && existing.expiresAt > this.#now()) {
      if (existing.fingerprint !== fingerprint) {
        throw new ApiError(
          'IDEMPOTENCY_KEY_REUSED',
          `Idempotency-Key ${key} was already used for a different request (method, path or body differ)`,
        );
      }
      return { kind: 'replay', record: existing };
    }
    this.#inFlight.add(slot);
    return {
      kind: 'proceed',
      complete: async (statusCode, headers, body) => {
        try {
          const stored: Record<string, string> = {};
          for (const name of REPLAYED_HEADERS) {
            const value = headers[name];
            if (typeof value === 'string' || typeof value === 'number') stored[name] = String(value);
          }
          await this.#store.idempotency.put({
            applicationId,
            key,
            fingerprint,
            statusCode,
            headers: stored,
            body,
            expiresAt: this.#now() + IDEMPOTENCY_TTL_MS,
          });
        } finally {
          this.#inFlight.delete(slot);
        }
      },
      release: () => {
        this.#inFlight.delete(slot);
      },
    };
  }
}
