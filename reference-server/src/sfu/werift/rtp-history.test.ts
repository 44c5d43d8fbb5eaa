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

  it('releases packets older than its age limit even when the ring has room', () => {
    let now = 0;
    const history = new RtpPacketHistory(64, { maxAgeMs: 2000, now: () => now });
    for (let seq = 0; seq < 10; seq++) {
      history.put(packet(seq));
      now += 100; // 10 packets/s: the ring would otherwise hold 6.4 s of them
    }
    now = 2050;
    history.put(packet(10));
    // Stored at 0 ms (seq 0) is older than 2 s at 2,050 ms; seq 1 (100 ms) is not.
    expect(history.get(0)).toBeUndefined();
    expect(history.get(1)?.header.sequenceNumber).toBe(1);
    now = 10_000;
    history.put(packet(11));
    for (let seq = 0; seq <= 10; seq++) expect(history.get(seq)).toBeUndefined();
    expect(history.get(11)?.header.sequenceNumber).toBe(11);
  });

  it('keeps a newer packet when an expired entry names the slot it took over', () => {
    let now = 0;
    const history = new RtpPacketHistory(16, { maxAgeMs: 1000, now: () => now });
    history.put(packet(3));
    now = 500;
    history.put(packet(19)); // same slot (19 & 15 = 3)
    now = 1200; // seq 3's entry expires; the slot holds 19 (stored at 500 ms), which must stay
    history.put(packet(20));
    expect(history.get(19)?.header.sequenceNumber).toBe(19);
    expect(() => new RtpPacketHistory(16, { maxAgeMs: 0 })).toThrow(/maxAgeMs/);
  });
});
