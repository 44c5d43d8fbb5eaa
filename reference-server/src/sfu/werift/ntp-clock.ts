/**
 * The NTP time of a sender's last packet, kept as a number and made a 64-bit NTP timestamp only when read.
 *
 * A sender report carries the NTP time at which its RTP timestamp was sent (RFC 3550 §6.4.1), so werift's
 * sender stores `ntpTimestamp = ntpTime()` with every packet: a clock read and three `BigInt`s per
 * forwarded packet, read back about once a second when the report is built. {@link NtpSendClock} keeps
 * the send time as milliseconds and gives werift's `ntpTimestamp` property an accessor that converts on
 * read; werift's own writes (its send path, used for RTX) still land through the setter.
 */
import { ntpTimeToEpochMs } from 'werift';

/** Milliseconds from the NTP epoch (1900-01-01) to the Unix epoch. */
const NTP_UNIX_OFFSET_MS = 2_208_988_800_000;
const FRACTION_SCALE = 4_294_967_296;

/** A Unix time in milliseconds as a 64-bit NTP timestamp (32-bit seconds since 1900, 32-bit fraction), as werift computes it. */
export function ntpFromUnixMs(unixMs: number): bigint {
  const ntpMs = unixMs + NTP_UNIX_OFFSET_MS;
  const seconds = Math.floor(ntpMs / 1000);
  const fraction = Math.floor(((ntpMs - seconds * 1000) / 1000) * FRACTION_SCALE) >>> 0;
  return (BigInt(seconds) << 32n) | BigInt(fraction);
}

/** A 64-bit NTP timestamp as Unix milliseconds (werift's conversion, typed). */
export function unixMsFromNtp(ntp: bigint): number {
  return ntpTimeToEpochMs(ntp) as number;
}

/** See the file comment. */
export class NtpSendClock {
  /** Unix milliseconds of the last send (0: nothing sent yet, as werift's initial `0n`). */
  #sentAt = 0;

  /** Replaces `sender.ntpTimestamp` (a plain field in werift) with an accessor reading this clock. */
  constructor(sender: object) {
    Object.defineProperty(sender, 'ntpTimestamp', {
      configurable: true,
      enumerable: true,
      get: () => (this.#sentAt === 0 ? 0n : ntpFromUnixMs(this.#sentAt)),
      set: (value: bigint) => {
        this.#sentAt = value === 0n ? 0 : unixMsFromNtp(value);
      },
    });
  }

  /** Records a send now (one clock read, no allocation). */
  sent(): void {
    this.#sentAt = performance.timeOrigin + performance.now();
  }
}
