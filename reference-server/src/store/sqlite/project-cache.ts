/**
 * The SQLite store's cache of project records. Every authenticated request looks its project up, and the
 * query (with the row's conversion) was one of the largest costs of a request (see `bench/PROFILE.md`).
 *
 * The cache stays exact:
 * - writes through this store (create, update, delete) clear it;
 * - writes by other connections to the same file (the `parley projects` CLI rotating a secret while the
 *   server runs) change SQLite's `PRAGMA data_version`, which is read before every cache hit — a single
 *   integer, far cheaper than the query — and clear it too.
 *
 * Records are copied on the way out, as the store contract requires.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { ProjectRecord } from '../types.js';

/** Entries kept at most; past it the cache starts over (lookups by unknown keys are never cached). */
const MAX_ENTRIES = 10_000;

/** A shallow-enough copy: every object a caller could mutate is fresh. */
function copyProject(project: ProjectRecord): ProjectRecord {
  const storage = project.archiveStorage;
  return {
    ...project,
    callbackUrls: { ...project.callbackUrls },
    archiveStorage: storage === null ? null : { ...storage, config: { ...storage.config } },
  };
}

/** Project records by the key they were looked up with (application ID or API key). */
export class ProjectCache {
  readonly #entries = new Map<string, ProjectRecord>();
  readonly #dataVersion: () => number;
  #version: number | null = null;

  /** `dataVersion` reads `PRAGMA data_version` of the store's connection. */
  constructor(dataVersion: () => number) {
    this.#dataVersion = dataVersion;
  }

  /** The cached project for `key`, or undefined when it must be read from the database. */
  get(key: string): ProjectRecord | undefined {
    const version = this.#dataVersion();
    if (version !== this.#version) {
      // Another connection committed something: anything cached may be stale.
      this.#entries.clear();
      this.#version = version;
      return undefined;
    }
    const cached = this.#entries.get(key);
    return cached && copyProject(cached);
  }

  /** Remembers what the database returned for `key` (call right after reading it). */
  set(key: string, project: ProjectRecord): void {
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, copyProject(project));
  }

  /** Forgets everything (this store wrote to the projects table). */
  clear(): void {
    this.#entries.clear();
  }
}

/**
 * Reads `PRAGMA data_version` of `db`'s connection, for {@link ProjectCache}. It runs before every cached
 * project lookup, so it keeps a statement of its own and, where Node has `setReturnArrays` (22.16, 24),
 * reads the value without building a row object: ≈ 1 µs less per cached lookup (`bench/PROFILE.md`).
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
