import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtectionProfileAeadAes128Gcm, SrtpSession } from 'werift';
import { SrtpRollover } from './srtp-rollover.js';

/** werift's own rule, on its own context: what the egress must agree with. */
function weriftRollover(): (sequenceNumber: number) => number {
  const session = new SrtpSession({
    keys: {
      localMasterKey: randomBytes(16),
      localMasterSalt: randomBytes(12),
      remoteMasterKey: randomBytes(16),
      remoteMasterSalt: randomBytes(12),
    },
    profile: ProtectionProfileAeadAes128Gcm,
  });
  const context = session.localContext as unknown as {
    updateRolloverCount(sequenceNumber: number, state: { rolloverCounter: number }): void;
  };
  const state = { ssrc: 1, rolloverCounter: 0, lastSequenceNumber: 0 };
  return (sequenceNumber) => {
    context.updateRolloverCount(sequenceNumber, state);
    return state.rolloverCounter;
  };
}

describe('SrtpRollover', () => {
  it('counts wraps of in-order sequence numbers', () => {
    const rollover = new SrtpRollover();
    const counters: number[] = [];
    for (let i = 0; i < 3 * 65_536 + 6; i++) counters.push(rollover.next((65_530 + i) & 0xffff));
    expect(counters[0]).toBe(0);
    expect(counters[5]).toBe(0); // 65535
    expect(counters[6]).toBe(1); // 0
    expect(counters.at(-1)).toBe(3); // the last is 65535 of the third cycle after the first wrap
  });

  it('agrees with werift on sequences with reordering and loss around the wrap', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let run = 0; run < 20; run++) {
      const ours = new SrtpRollover();
      const theirs = weriftRollover();
      let sequenceNumber = Math.floor(random() * 65_536);
      for (let i = 0; i < 5000; i++) {
        // Mostly in order, some losses (skips) and some late packets (up to 60 behind).
        const step = random() < 0.1 ? -Math.floor(random() * 60) : 1 + Math.floor(random() * 3);
        sequenceNumber = (sequenceNumber + step + 65_536) & 0xffff;
        expect(ours.next(sequenceNumber)).toBe(theirs(sequenceNumber));
      }
    }
  });
});
