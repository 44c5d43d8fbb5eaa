import { describe, expect, it } from 'vitest';
import { TransactionIdSource } from './transaction-ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('TransactionIdSource', () => {
  it('never repeats an ID and never produces a UUID (the shape of client request IDs)', () => {
    const source = new TransactionIdSource();
    const next = source.next;
    const ids = Array.from({ length: 50_000 }, () => next());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) {
      expect(id.startsWith(source.prefix)).toBe(true);
      expect(id).not.toMatch(UUID);
    }
  });

  it('gives every source its own random prefix', () => {
    const prefixes = new Set(Array.from({ length: 20 }, () => new TransactionIdSource().prefix));
    expect(prefixes.size).toBe(20);
    expect(new TransactionIdSource('x.').next()).toBe('x.0');
  });
});
