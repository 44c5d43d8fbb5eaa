/**
 * A cache of records read from the SQLite store that stays exact:
 * - the store's own writes clear it ({@link ExactCache.clear}, called by the writing sub-store);
 * - writes by other connections to the same file change SQLite's data version ({@link ExternalChanges}),
 *   which is compared before every hit and clears it too.
 *
 * Values are copied on the way in and out (`copy`), as the store contract requires: a caller mutating a
 * returned record changes nothing for the next one.
 */
import type { ExternalChanges } from './external-changes.js';

/** Entries kept at most by default; past it the cache starts over. */
const MAX_ENTRIES = 10_000;

/** Values of type `V` by a string key, exact as described above. */
export class ExactCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #changes: ExternalChanges;
  readonly #copy: (value: V) => V;
  readonly #maxEntries: number;
  #version: number | null = null;

  constructor(changes: ExternalChanges, copy: (value: V) => V, maxEntries = MAX_ENTRIES) {
    this.#changes = changes;
    this.#copy = copy;
    this.#maxEntries = maxEntries;
  }

  /** The cached value for `key` (a copy), or undefined when it must be read from the database. */
  get(key: string): V | undefined {
    const version = this.#changes.version();
    if (version !== this.#version) {
      // Another connection committed something: anything cached may be stale.
      this.#entries.clear();
      this.#version = version;
      return undefined;
    }
    const cached = this.#entries.get(key);
    return cached === undefined ? undefined : this.#copy(cached);
  }

  /** Remembers what the database returned for `key` (call right after reading it). */
  set(key: string, value: V): void {
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(key, this.#copy(value));
  }

  /** Forgets everything (this store wrote to what the cache holds). */
  clear(): void {
    this.#entries.clear();
  }
}
