import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { RtpPacketHistory } from './rtp-history.js';

function packet(sequenceNumber: number): RtpPacket {
  // Through real bytes, as the producer receives them.
  const built = new RtpPacket(
    new RtpHeader({ payloadType: 96, sequenceNumber, timestamp: 1000, ssrc: 42 }),
    Buffer.from([sequenceNumber & 0xff, 1, 2, 3]),
  );
  return RtpPacket.deSerialize(built.serialize());
}

describe('RtpPacketHistory', () => {
  it('returns a stored packet by its sequence number, across the 16-bit wrap', () => {
    const history = new RtpPacketHistory(16);
    const stored = [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2].map(packet);
    for (const p of stored) history.put(p);
    for (const p of stored) expect(history.get(p.header.sequenceNumber)).toBe(p);
  });

  it('forgets a packet once `capacity` newer ones overwrote its slot, and never returns another one', () => {
    const history = new RtpPacketHistory(16);
    for (let seq = 100; seq < 120; seq++) history.put(packet(seq));
    expect(history.get(103)).toBeUndefined(); // overwritten by 119
    expect(history.get(104)).toBe(history.get(104));
    expect(history.get(104)?.header.sequenceNumber).toBe(104);
    expect(history.get(119)?.header.sequenceNumber).toBe(119);
    expect(history.get(120)).toBeUndefined(); // same slot as 104, never stored
    expect(history.get(88)).toBeUndefined();
  });

  it('clear() forgets everything', () => {
    const history = new RtpPacketHistory(16);
    history.put(packet(7));
    history.clear();
    expect(history.get(7)).toBeUndefined();
  });

  it('rejects a capacity that is not a power of two in range', () => {
    for (const capacity of [0, 8, 100, 65_536, 1.5]) {
      expect(() => new RtpPacketHistory(capacity)).toThrow(/capacity must be a power of two/);
    }
    expect(new RtpPacketHistory().capacity).toBe(512);
  });
});
