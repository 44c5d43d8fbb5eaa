/**
 * Transaction IDs of server messages. The client needs an ID it has not seen in the last 30 s (it drops a
 * MESSAGE with a recently seen `TRANSACTION-ID` as a duplicate) that cannot match one of its own pending
 * requests (it settles a pending request by the `TRANSACTION-ID` of any frame it receives, and its own are
 * UUID v4). A random prefix per source plus a counter is both, at a fraction of the cost of a UUID per copy
 * of a broadcast: `s1f3a9c0b.0`, `s1f3a9c0b.1`, … The prefix keeps IDs of a restarted server (or of another
 * gateway) apart.
 */
import { randomBytes } from 'node:crypto';

/** Hands out transaction IDs that never repeat within the source's lifetime. */
export class TransactionIdSource {
  /** `s` + 8 random hex digits + `.`: never the shape of a UUID. */
  readonly prefix: string;
  #counter = 0;

  constructor(prefix = `s${randomBytes(4).toString('hex')}.`) {
    this.prefix = prefix;
  }

  /** The next ID. Bound, so it can be passed around as a function. */
  readonly next = (): string => this.prefix + (this.#counter++).toString(36);
}
