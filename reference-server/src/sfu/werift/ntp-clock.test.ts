import { describe, expect, it } from 'vitest';
import { ntpTime, RTCRtpSender } from 'werift';
import { NtpSendClock, ntpFromUnixMs, unixMsFromNtp } from './ntp-clock.js';

describe('NTP timestamps from Unix milliseconds', () => {
  it('counts seconds from 1900 and the fraction in 1/2^32 s', () => {
    expect(ntpFromUnixMs(0)).toBe(2_208_988_800n << 32n);
    expect(ntpFromUnixMs(1500)).toBe((2_208_988_801n << 32n) | 2_147_483_648n);
    expect(unixMsFromNtp((2_208_988_801n << 32n) | 2_147_483_648n)).toBe(1500);
    const now = Date.now() + 0.123;
    expect(Math.abs(unixMsFromNtp(ntpFromUnixMs(now)) - now)).toBeLessThan(0.001);
  });

  it('reads the same clock werift’s ntpTime reads', () => {
    const werift = unixMsFromNtp(ntpTime());
    const ours = unixMsFromNtp(ntpFromUnixMs(performance.timeOrigin + performance.now()));
    expect(Math.abs(ours - werift)).toBeLessThan(50);
  });
});

/** werift's sender with its (private) report fields, as the engine reads them. */
function reportingSender(kind: 'audio' | 'video'): { ntpTimestamp: bigint } {
  return new RTCRtpSender(kind) as unknown as { ntpTimestamp: bigint };
}

describe('NtpSendClock', () => {
  it('gives werift’s sender an ntpTimestamp read from the last send, converted only when read', () => {
    const sender = reportingSender('video');
    const clock = new NtpSendClock(sender);
    expect(sender.ntpTimestamp).toBe(0n);
    const before = performance.timeOrigin + performance.now();
    clock.sent();
    const after = performance.timeOrigin + performance.now();
    const sentAt = unixMsFromNtp(sender.ntpTimestamp);
    expect(sentAt).toBeGreaterThanOrEqual(before - 0.001);
    expect(sentAt).toBeLessThanOrEqual(after + 0.001);
  });

  it('still takes werift’s own writes (its send path stores ntpTime())', () => {
    const sender = reportingSender('audio');
    new NtpSendClock(sender);
    const written = ntpTime();
    sender.ntpTimestamp = written;
    // Kept as milliseconds: back within a microsecond (2^32 fractions per second round to 1/4.3 ns).
    expect(Math.abs(unixMsFromNtp(sender.ntpTimestamp) - unixMsFromNtp(written))).toBeLessThan(0.001);
    sender.ntpTimestamp = 0n;
    expect(sender.ntpTimestamp).toBe(0n);
  });
});
