import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SentReply, TransactionCache } from './transaction-cache.js';

const reply = (bytes: number, writeSeq: number): SentReply => ({ frame: new Uint8Array(bytes), writeSeq });
const options = { ttlMs: 60_000, maxEntries: 1000, maxReplyBytes: 1_000_000, releaseDeliveredAbove: 15 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TransactionCache', () => {
  it('remembers pending and answered transactions', () => {
    const cache = new TransactionCache(options);
    cache.begin('t1');
    expect(cache.get('t1')).toEqual({ state: 'pending' });
    const sent = reply(10, 1);
    cache.complete('t1', sent);
    expect(cache.get('t1')).toEqual({ state: 'done', reply: sent });
    expect(cache.get('t2')).toBeUndefined();
    expect(cache.replyBytes).toBe(10);
  });

  it('forgets entries after the TTL on a timer, without any further call', () => {
    const cache = new TransactionCache(options);
    cache.complete('old', reply(100, 1));
    vi.advanceTimersByTime(30_000);
    cache.complete('newer', reply(50, 2));
    vi.advanceTimersByTime(30_001);
    // The timer fired for the oldest entry and was re-armed for the next one.
    expect(cache.size).toBe(1);
    expect(cache.replyBytes).toBe(50);
    vi.advanceTimersByTime(30_000);
    expect(cache.size).toBe(0);
    expect(cache.replyBytes).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops expired entries when a new one comes in', () => {
    let now = 0;
    const cache = new TransactionCache({ ...options, now: () => now });
    cache.begin('a');
    now = 60_001;
    cache.begin('b');
    expect(cache.size).toBe(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('releases the large replies the client acknowledged a later message for, keeping the entry', () => {
    const cache = new TransactionCache(options);
    cache.complete('before-socket', reply(30, 3));
    cache.complete('inside', reply(20, 7));
    cache.complete('small-inside', reply(15, 8));
    cache.complete('after', reply(40, 12));
    cache.begin('pending');
    cache.delivered(5, 10);
    expect(cache.get('inside')).toEqual({ state: 'released', why: 'delivered' });
    // Small replies stay until they expire: a stray repeat still gets the real answer.
    expect(cache.get('small-inside')?.state).toBe('done');
    expect(cache.get('before-socket')?.state).toBe('done');
    expect(cache.get('after')?.state).toBe('done');
    expect(cache.get('pending')?.state).toBe('pending');
    expect(cache.replyBytes).toBe(85);
  });

  it('keeps a reply that was never written (-1) until it expires', () => {
    const cache = new TransactionCache(options);
    cache.complete('unsent', reply(100, -1));
    cache.delivered(0, 100);
    expect(cache.get('unsent')?.state).toBe('done');
  });

  it('caps the reply bytes, releasing the oldest replies but never the newest', () => {
    const cache = new TransactionCache({ ...options, maxReplyBytes: 100 });
    cache.complete('a', reply(60, 1));
    cache.complete('b', reply(30, 2));
    cache.complete('c', reply(50, 3));
    expect(cache.get('a')).toEqual({ state: 'released', why: 'evicted' });
    expect(cache.get('b')?.state).toBe('done');
    expect(cache.replyBytes).toBe(80);
    cache.complete('huge', reply(500, 4));
    expect(cache.get('huge')?.state).toBe('done');
    expect(cache.replyBytes).toBe(500);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = new TransactionCache({ ...options, maxEntries: 2 });
    cache.complete('a', reply(1, 1));
    cache.begin('b');
    cache.begin('c');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.replyBytes).toBe(0);
  });

  it('clears everything and its timer', () => {
    const cache = new TransactionCache(options);
    cache.complete('a', reply(5, 1));
    cache.clear();
    expect(cache.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
