/**
 * The replies to a client's requests by `TRANSACTION-ID`. After a socket reconnect OpenTok.js re-sends
 * every request it has no reply for, with the same transaction ID; the gateway answers a repeat from this
 * cache instead of acting twice, so requests are idempotent.
 */

/** A request still being handled, or the reply it got. */
export type TransactionEntry = { state: 'pending' } | { state: 'done'; reply: Uint8Array };

/** A bounded, time-limited map of transaction ID → reply. */
export class TransactionCache {
  readonly #entries = new Map<string, { entry: TransactionEntry; at: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(ttlMs: number, maxEntries: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  /** The entry of a transaction seen within the TTL, or undefined. */
  get(transactionId: string): TransactionEntry | undefined {
    const found = this.#entries.get(transactionId);
    if (!found) return undefined;
    if (this.#now() - found.at > this.#ttlMs) {
      this.#entries.delete(transactionId);
      return undefined;
    }
    return found.entry;
  }

  /** Marks a transaction as being handled. */
  begin(transactionId: string): void {
    this.#set(transactionId, { state: 'pending' });
  }

  /** Records the reply of a transaction. */
  complete(transactionId: string, reply: Uint8Array): void {
    this.#set(transactionId, { state: 'done', reply });
  }

  #set(transactionId: string, entry: TransactionEntry): void {
    this.#entries.delete(transactionId);
    this.#entries.set(transactionId, { entry, at: this.#now() });
    // Maps iterate in insertion order, so the first keys are the oldest.
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(key);
    }
  }
}
