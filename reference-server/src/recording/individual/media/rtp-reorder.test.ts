import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { ReorderBuffer } from './rtp-reorder.js';

const packet = (sequenceNumber: number, ssrc = 1): RtpPacket =>
  new RtpPacket(
    new RtpHeader({ sequenceNumber, ssrc, payloadType: 96 }),
    Buffer.from([sequenceNumber & 0xff]),
  );

const order = (out: ReturnType<ReorderBuffer['push']>): [number, boolean][] =>
  out.map((o) => [o.packet.header.sequenceNumber, o.afterLoss]);

describe('ReorderBuffer', () => {
  it('passes packets in order, holds early ones until the gap fills, drops duplicates and old ones', () => {
    const buffer = new ReorderBuffer();
    expect(order(buffer.push(packet(10)))).toEqual([[10, false]]);
    expect(order(buffer.push(packet(12)))).toEqual([]);
    expect(order(buffer.push(packet(13)))).toEqual([]);
    expect(order(buffer.push(packet(11)))).toEqual([
      [11, false],
      [12, false],
      [13, false],
    ]);
    expect(order(buffer.push(packet(12)))).toEqual([]);
    expect(order(buffer.push(packet(5)))).toEqual([]);
  });

  it('follows the sequence across its wrap', () => {
    const buffer = new ReorderBuffer();
    buffer.push(packet(65_534));
    expect(order(buffer.push(packet(0)))).toEqual([]);
    expect(order(buffer.push(packet(65_535)))).toEqual([
      [65_535, false],
      [0, false],
    ]);
  });

  it('skips a gap that stays open too long and marks the next packet as after a loss', () => {
    let now = 0;
    const buffer = new ReorderBuffer({ maxWaitMs: 100, now: () => now });
    buffer.push(packet(1));
    expect(order(buffer.push(packet(3)))).toEqual([]);
    now = 150;
    expect(order(buffer.push(packet(4)))).toEqual([
      [3, true],
      [4, false],
    ]);
  });

  it('skips a gap when too many packets are held, and flushes what is left', () => {
    const buffer = new ReorderBuffer({ maxHeld: 2 });
    buffer.push(packet(1));
    buffer.push(packet(3));
    buffer.push(packet(4));
    expect(order(buffer.push(packet(5)))).toEqual([
      [3, true],
      [4, false],
      [5, false],
    ]);
    buffer.push(packet(8));
    expect(order(buffer.flush())).toEqual([[8, true]]);
  });

  it('starts a new sequence when the SSRC changes (a restarted track)', () => {
    const buffer = new ReorderBuffer();
    buffer.push(packet(100, 1));
    buffer.push(packet(102, 1));
    expect(order(buffer.push(packet(7, 2)))).toEqual([
      [102, true],
      [7, false],
    ]);
  });
});
