/**
 * The replies to a client's requests by `TRANSACTION-ID`. After a socket reconnect OpenTok.js re-sends
 * every request it has no reply for, with the same transaction ID; the gateway answers a repeat from this
 * cache instead of acting twice, so requests are idempotent.
 *
 * Replies can be large (the reply to connection create holds the whole session state: about 150 KB in a
 * session of 1,000), and most clients never need them again, so the cache lets go of them early:
 * - a large reply the client provably received is released as soon as that is known: the client
 *   acknowledged a message written after the reply on the same socket (TCP and the client keep the order),
 *   see {@link TransactionCache.delivered}. Its entry stays, without the bytes, so a stray repeat is not
 *   run again (small replies cost little and stay until they expire, so a repeat gets the real answer);
 * - every entry expires after the TTL, on a timer (an idle client must not keep its replies forever);
 * - the replies kept by one client are capped in bytes; over the cap the oldest are released.
 */

/** A reply as written to the client: its bytes, and the client's write sequence number (-1: not written). */
export interface SentReply {
  frame: Uint8Array;
  writeSeq: number;
}

/**
 * A request still being handled; the reply it got (kept for re-sending); or a reply no longer kept,
 * because the client has it (`delivered`) or the byte cap pushed it out (`evicted`).
 */
export type TransactionEntry =
  | { state: 'pending' }
  | { state: 'done'; reply: SentReply }
  | { state: 'released'; why: 'delivered' | 'evicted' };

/** Limits of a {@link TransactionCache}. */
export interface TransactionCacheOptions {
  /** How long an entry is kept, in ms. */
  ttlMs: number;
  /** Most entries kept; the oldest go first. */
  maxEntries: number;
  /** Most reply bytes kept; the oldest replies are released first (the newest is always kept). */
  maxReplyBytes: number;
  /** Replies of more bytes than this are released once delivered; smaller ones stay until they expire. */
  releaseDeliveredAbove: number;
  now?: () => number;
}

interface Slot {
  entry: TransactionEntry;
  at: number;
}

/** A bounded, time-limited map of transaction ID → reply. */
export class TransactionCache {
  // Insertion order is age order: entries are re-inserted when they change.
  readonly #entries = new Map<string, Slot>();
  readonly #options: TransactionCacheOptions;
  readonly #now: () => number;
  #replyBytes = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: TransactionCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** How many transactions are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** The bytes of the replies kept for re-sending. */
  get replyBytes(): number {
    return this.#replyBytes;
  }

  /** The entry of a transaction seen within the TTL, or undefined. */
  get(transactionId: string): TransactionEntry | undefined {
    this.#expire();
    return this.#entries.get(transactionId)?.entry;
  }

  /** Marks a transaction as being handled. */
  begin(transactionId: string): void {
    this.#set(transactionId, { state: 'pending' });
  }

  /** Records the reply of a transaction (again, after it was re-sent). */
  complete(transactionId: string, reply: SentReply): void {
    this.#set(transactionId, { state: 'done', reply });
    this.#enforceByteCap(transactionId);
  }

  /**
   * Releases the replies written with a sequence number in `[fromSeq, toSeq]`: the client acknowledged a
   * message written at `toSeq` on the socket whose first write was `fromSeq`, so it has received them.
   */
  delivered(fromSeq: number, toSeq: number): void {
    if (this.#replyBytes === 0) return;
    for (const slot of this.#entries.values()) {
      const { entry } = slot;
      if (entry.state !== 'done') continue;
      const { writeSeq, frame } = entry.reply;
      if (frame.length <= this.#options.releaseDeliveredAbove) continue;
      if (writeSeq >= fromSeq && writeSeq <= toSeq) this.#release(slot, 'delivered');
    }
  }

  /** Forgets everything and stops the expiry timer (the client is gone). */
  clear(): void {
    this.#entries.clear();
    this.#replyBytes = 0;
    this.#stopTimer();
  }

  #set(transactionId: string, entry: TransactionEntry): void {
    this.#expire();
    this.#delete(transactionId);
    this.#entries.set(transactionId, { entry, at: this.#now() });
    if (entry.state === 'done') this.#replyBytes += entry.reply.frame.length;
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#options.maxEntries) break;
      this.#delete(key);
    }
    this.#armTimer();
  }

  #enforceByteCap(newest: string): void {
    if (this.#replyBytes <= this.#options.maxReplyBytes) return;
    for (const [key, slot] of this.#entries) {
      if (this.#replyBytes <= this.#options.maxReplyBytes) break;
      if (key !== newest && slot.entry.state === 'done') this.#release(slot, 'evicted');
    }
  }

  #release(slot: Slot, why: 'delivered' | 'evicted'): void {
    if (slot.entry.state === 'done') this.#replyBytes -= slot.entry.reply.frame.length;
    slot.entry = { state: 'released', why };
  }

  #delete(transactionId: string): void {
    const slot = this.#entries.get(transactionId);
    if (!slot) return;
    if (slot.entry.state === 'done') this.#replyBytes -= slot.entry.reply.frame.length;
    this.#entries.delete(transactionId);
  }

  /** Drops entries older than the TTL (the oldest come first). */
  #expire(): void {
    const oldestAllowed = this.#now() - this.#options.ttlMs;
    for (const [key, slot] of this.#entries) {
      if (slot.at >= oldestAllowed) break;
      this.#delete(key);
    }
    if (this.#entries.size === 0) this.#stopTimer();
  }

  /** Runs the expiry when the oldest entry is due, so entries go even when the client goes quiet. */
  #armTimer(): void {
    if (this.#timer || this.#entries.size === 0) return;
    const oldest = this.#entries.values().next().value as Slot;
    const dueIn = Math.max(0, oldest.at + this.#options.ttlMs - this.#now()) + 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#expire();
      this.#armTimer();
    }, dueIn);
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
