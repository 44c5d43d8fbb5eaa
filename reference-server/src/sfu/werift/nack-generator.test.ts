import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { isNewerSequence, NackGenerator, type NackGeneratorOptions } from './nack-generator.js';

const SSRC = 0xabcd;

/** A publisher packet through real RTP bytes. */
function packet(sequenceNumber: number): RtpPacket {
  const built = new RtpPacket(
    new RtpHeader({ payloadType: 96, sequenceNumber, timestamp: sequenceNumber * 3000, ssrc: SSRC }),
    Buffer.from([1, 2, 3]),
  );
  return RtpPacket.deSerialize(built.serialize());
}

function setup(options: Partial<NackGeneratorOptions> = {}) {
  const clock = { now: 0 };
  const nacks: number[][] = [];
  let keyFrames = 0;
  let timer: (() => void) | undefined;
  const generator = new NackGenerator({
    sendNack: (ssrc, lost) => {
      expect(ssrc).toBe(SSRC);
      nacks.push([...lost]);
    },
    requestKeyFrame: () => keyFrames++,
    now: () => clock.now,
    setInterval: (callback) => {
      timer = callback;
      return callback;
    },
    clearInterval: () => {
      timer = undefined;
    },
    ...options,
  });
  /** Advances time in 10 ms checks, as the interval would. */
  const advance = (ms: number): void => {
    for (let t = 0; t < ms; t += 10) {
      clock.now += 10;
      timer?.();
    }
  };
  return {
    generator,
    nacks,
    advance,
    keyFrames: () => keyFrames,
    timerRunning: () => timer !== undefined,
    receive: (...seqs: number[]) => {
      for (const seq of seqs) generator.addPacket(packet(seq));
    },
  };
}

describe('isNewerSequence', () => {
  it('compares modulo 2¹⁶', () => {
    expect(isNewerSequence(2, 1)).toBe(true);
    expect(isNewerSequence(1, 2)).toBe(false);
    expect(isNewerSequence(0, 65_535)).toBe(true);
    expect(isNewerSequence(65_535, 0)).toBe(false);
    expect(isNewerSequence(5, 5)).toBe(false);
  });
});

describe('NackGenerator', () => {
  it('NACKs a gap once at the next check, then once per retry interval, and stops when it arrives', () => {
    const { nacks, advance, receive, timerRunning, generator } = setup();
    receive(100, 101, 104);
    expect(timerRunning()).toBe(true);
    advance(10);
    expect(nacks).toEqual([[102, 103]]);
    advance(30);
    expect(nacks).toHaveLength(1); // not again before 50 ms
    advance(20);
    expect(nacks).toEqual([
      [102, 103],
      [102, 103],
    ]);
    receive(102); // the retransmission (unwrapped RTX) arrives
    advance(50);
    expect(nacks.at(-1)).toEqual([103]);
    receive(103);
    expect(timerRunning()).toBe(false);
    expect(generator.stats).toEqual({ nacked: 2, recovered: 2, givenUp: 0 });
  });

  it('detects gaps across the sequence-number wrap and keeps detecting after it', () => {
    const { nacks, advance, receive } = setup();
    receive(65_533, 1); // 65534, 65535, 0 lost across the wrap
    advance(10);
    expect(nacks).toEqual([[65_534, 65_535, 0]]);
    receive(65_534, 65_535, 0, 2, 4);
    advance(50);
    expect(nacks.at(-1)).toEqual([3]);
  });

  it('gives up a packet after its retries and asks for a keyframe', () => {
    const { nacks, advance, receive, keyFrames, generator, timerRunning } = setup({ maxRetries: 3 });
    receive(10, 12);
    advance(300);
    expect(nacks).toEqual([[11], [11], [11]]);
    expect(keyFrames()).toBe(1);
    expect(generator.missing).toBe(0);
    expect(timerRunning()).toBe(false);
    expect(generator.stats.givenUp).toBe(1);
  });

  it('a gap too large to repair asks for a keyframe instead of NACKing it', () => {
    const { nacks, advance, receive, keyFrames } = setup({ maxMissing: 100 });
    receive(1, 500);
    advance(20);
    expect(nacks).toEqual([]);
    expect(keyFrames()).toBe(1);
  });

  it('ignores old duplicates and stops after close()', () => {
    const { nacks, advance, receive, generator, timerRunning } = setup();
    receive(50, 51, 52, 40, 51);
    advance(100);
    expect(nacks).toEqual([]);
    receive(55);
    generator.close();
    expect(timerRunning()).toBe(false);
    advance(100);
    expect(nacks).toEqual([]);
  });
});
