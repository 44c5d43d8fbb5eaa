/**
 * Commits by other connections to the store's database file (the `parley projects` CLI rotating a secret
 * while the server runs), as SQLite's `PRAGMA data_version` tells them: the value changes whenever another
 * connection commits, never for this connection's own commits. The store's exact caches
 * (`exact-cache.ts`) compare it before every hit.
 *
 * Each read of it is a read transaction of its own: a shared lock on the WAL index taken and released with
 * two `fcntl` calls, ≈ 4 µs quiet and several times that under load, on every authenticated request
 * (`bench/PROFILE.md`, third round). So the value is read at most once per {@link ExternalChangesOptions.windowMs}
 * (1 ms by default): requests handled within the same millisecond share one read, and another process's
 * commit is seen at most that much later — less than the time a request takes to travel from the CLI's
 * commit to a client anyway, and no different from a request that was already being handled when the
 * commit landed. This connection's own writes are never delayed: the caches are cleared as they happen.
 */
import type { DatabaseSync } from 'node:sqlite';

/** Options of {@link ExternalChanges}. */
export interface ExternalChangesOptions {
  /** How long a read of the data version is reused, in ms. Default 1; 0 reads it every time. */
  windowMs?: number;
  /** A monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
}

/** The data version of one connection, read at most once per window. */
export class ExternalChanges {
  readonly #read: () => number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #version = -1;
  #readAt = Number.NEGATIVE_INFINITY;

  /** `read` returns `PRAGMA data_version` of the store's connection ({@link dataVersionReader}). */
  constructor(read: () => number, options: ExternalChangesOptions = {}) {
    const windowMs = options.windowMs ?? 1;
    if (!(Number.isFinite(windowMs) && windowMs >= 0)) {
      throw new RangeError(`windowMs must be a number ≥ 0, got ${windowMs}`);
    }
    this.#read = read;
    this.#windowMs = windowMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The data version: a new value means another connection committed since the previous one. */
  version(): number {
    const now = this.#now();
    if (now - this.#readAt >= this.#windowMs || now < this.#readAt) {
      this.#version = this.#read();
      this.#readAt = now;
    }
    return this.#version;
  }
}

/**
 * Reads `PRAGMA data_version` of `db`'s connection. It keeps a statement of its own and, where Node has
 * `setReturnArrays` (22.16, 24), reads the value without building a row object: ≈ 1 µs less per read
 * (`bench/PROFILE.md`).
 */
export function dataVersionReader(db: DatabaseSync): () => number {
  const statement = db.prepare('PRAGMA data_version');
  // Feature-detected: the engines field allows Node 22.13, which lacks it.
  const arrays = statement as { setReturnArrays?: (enabled: boolean) => void };
  if (typeof arrays.setReturnArrays === 'function') {
    arrays.setReturnArrays(true);
    return () => {
      const row = statement.get() as unknown as readonly unknown[] | undefined;
      const version = row?.[0];
      return typeof version === 'number' ? version : -1;
    };
  }
  return () => {
    const row = statement.get();
    return typeof row?.data_version === 'number' ? row.data_version : -1;
  };
}
