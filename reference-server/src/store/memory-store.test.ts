import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { describeStoreContract } from './store.contract.js';
import { aProject } from './store.fixtures.js';

describeStoreContract('memory store', ({ now }) => createMemoryStore({ now }));

describe('memory store', () => {
  it('keeps nothing between instances', async () => {
    const first = createMemoryStore();
    await first.projects.create(aProject());
    const second = createMemoryStore();
    expect(await second.projects.list()).toEqual([]);
  });

  it('uses the real clock by default for expiries', async () => {
    const store = createMemoryStore();
    expect(await store.jtis.claim('app', 'j', Date.now() - 1)).toBe(true);
    // Already expired when claimed, so a second claim is not a replay.
    expect(await store.jtis.claim('app', 'j', Date.now() + 60_000)).toBe(true);
    expect(await store.jtis.claim('app', 'j', Date.now() + 60_000)).toBe(false);
  });
});
