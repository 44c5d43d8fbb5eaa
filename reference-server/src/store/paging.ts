/**
 * Ordering and paging rules shared by every store, so the memory and SQLite stores list records in exactly
 * the same order (the contract tests hold them to it).
 */
import type { Page, PageQuery } from './types.js';

/** Newest first; ties on `createdAt` broken by ID, descending, so the order is total and stable. */
export function newestFirst<T extends { createdAt: number; id: string }>(a: T, b: T): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Oldest first; ties broken by ID, ascending. */
export function oldestFirst<T extends { createdAt: number; id: string }>(a: T, b: T): number {
  return -newestFirst(a, b);
}

/** Slices one page out of an already-sorted list. */
export function pageOf<T>(sorted: readonly T[], query: PageQuery): Page<T> {
  assertPageQuery(query);
  return { total: sorted.length, items: sorted.slice(query.offset, query.offset + query.count) };
}

/** Rejects negative or fractional paging values, which would otherwise page silently wrong. */
export function assertPageQuery(query: PageQuery): void {
  if (!Number.isSafeInteger(query.offset) || query.offset < 0) {
    throw new RangeError(`offset must be a non-negative integer, got ${query.offset}`);
  }
  if (!Number.isSafeInteger(query.count) || query.count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${query.count}`);
  }
}
