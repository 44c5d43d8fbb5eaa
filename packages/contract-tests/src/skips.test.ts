import { describe, expect, it } from 'vitest';
import { PRESETS } from './presets.js';
import {
  credentialSkips,
  notImplementedOperations,
  REFERENCE_SERVER_SKIPS,
  type SkipEntry,
  SkipListError,
  skipFor,
  validateSkips,
} from './skips.js';

const ids = new Set(['a', 'b', 'c']);

describe('skips', () => {
  it('refuses entries without a reason, with several kinds, or naming unknown operations', () => {
    expect(() => validateSkips([{ operationIds: ['a'], reason: '' }], ids)).toThrow(
      'skip[0].reason is required',
    );
    expect(() => validateSkips([{ operationIds: ['a'], tests: ['x'], reason: 'r' }], ids)).toThrow(
      /exactly one of/,
    );
    expect(() => validateSkips([{ reason: 'r' } as SkipEntry], ids)).toThrow(SkipListError);
    expect(() => validateSkips([{ operationIds: ['zzz'], reason: 'r' }], ids)).toThrow(
      'skip[0].operationIds names zzz',
    );
    expect(() => validateSkips([{ capability: 'teleport' as never, reason: 'r' }], ids)).toThrow(
      /capability must be one of/,
    );
    expect(() =>
      validateSkips(
        [
          { operationIds: ['a'], reason: 'r' },
          { tests: ['t'], reason: 'r' },
        ],
        ids,
      ),
    ).not.toThrow();
  });

  it('matches tests by operation, name fragment or needed capability', () => {
    const skips: SkipEntry[] = [
      { operationIds: ['a'], reason: 'op' },
      { tests: ['negative data > b'], reason: 'name' },
      { capability: 'media', reason: 'cap' },
    ];
    expect(skipFor(skips, { fullName: 'x', operations: ['c', 'a'], needs: [] })?.reason).toBe('op');
    expect(
      skipFor(skips, { fullName: 'negative data > b rejects 3', operations: ['b'], needs: [] })?.reason,
    ).toBe('name');
    expect(
      skipFor(skips, { fullName: 'y', operations: ['b'], needs: ['participants', 'media'] })?.reason,
    ).toBe('cap');
    expect(skipFor(skips, { fullName: 'z', operations: ['b'], needs: ['participants'] })).toBeNull();
  });

  it('verifies operation skips unless they are declared absent', () => {
    const declared = notImplementedOperations([
      { operationIds: ['a'], reason: 'not yet' },
      { operationIds: ['b'], reason: 'not there', verify: 'absent' },
    ]);
    expect([...declared.keys()]).toEqual(['a']);
  });

  it('adds the account skip only without account credentials', () => {
    expect(credentialSkips({})).toEqual([
      { capability: 'account', reason: expect.stringContaining('no account credentials') },
    ]);
    expect(credentialSkips({ accountKey: 'k', accountSecret: 's' })).toEqual([]);
  });

  it('keeps the presets well-formed', () => {
    expect(PRESETS['reference-server']).toBe(REFERENCE_SERVER_SKIPS);
    for (const [name, skips] of Object.entries(PRESETS)) {
      const named = new Set(skips.flatMap((s) => s.operationIds ?? []));
      expect(() => validateSkips(skips, named), name).not.toThrow();
    }
  });
});
