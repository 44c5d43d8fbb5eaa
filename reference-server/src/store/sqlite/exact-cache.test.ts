import { describe, expect, it } from 'vitest';
import { ExactCache } from './exact-cache.js';
import { ExternalChanges } from './external-changes.js';

function cacheWithVersion(maxEntries?: number) {
  const state = { version: 1 };
  const changes = new ExternalChanges(() => state.version, { windowMs: 0 });
  const cache = new ExactCache<{ n: number }>(changes, (value) => ({ ...value }), maxEntries);
  return { state, cache };
}

describe('ExactCache', () => {
  it('hands out copies of what was set, and forgets on clear', () => {
    const { cache } = cacheWithVersion();
    expect(cache.get('a')).toBeUndefined(); // the first look reads the version
    const value = { n: 1 };
    cache.set('a', value);
    value.n = 2;
    const got = cache.get('a') as { n: number };
    expect(got).toEqual({ n: 1 });
    got.n = 3;
    expect(cache.get('a')).toEqual({ n: 1 });
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
  });

  it('starts over when another connection committed (the data version changed)', () => {
    const { state, cache } = cacheWithVersion();
    cache.get('a');
    cache.set('a', { n: 1 });
    expect(cache.get('a')).toEqual({ n: 1 });
    state.version = 2;
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', { n: 2 });
    expect(cache.get('a')).toEqual({ n: 2 });
  });

  it('starts over past its size bound', () => {
    const { cache } = cacheWithVersion(2);
    cache.get('a');
    cache.set('a', { n: 1 });
    cache.set('b', { n: 2 });
    cache.set('c', { n: 3 });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toEqual({ n: 3 });
  });
});
