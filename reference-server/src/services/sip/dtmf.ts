/**
 * DTMF as RFC 4733 telephone events: the 4-byte event payload, and the schedule a digit string is played
 * on. Each digit is a 100 ms event — a packet every 20 ms with the same RTP timestamp and a growing
 * duration, the first with the marker bit, the last sent three times with the end bit (§2.5.1.3, §2.5.1.4)
 * — followed by 100 ms of audio before the next one; `p` is 500 ms of audio.
 */

/** The digits the play-DTMF calls accept: `0`–`9`, `*`, `#` and `p` (a pause). */
export const DTMF_DIGITS = /^[0-9*#p]+$/;

/** The most digits one call may play. */
export const MAX_DTMF_DIGITS = 256;

/** RFC 4733 §3.2 event codes. */
const EVENT_CODES: Readonly<Record<string, number>> = {
  '0': 0,
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
  '6': 6,
  '7': 7,
  '8': 8,
  '9': 9,
  '*': 10,
  '#': 11,
};

/** Ticks (20 ms) one digit's event lasts. */
export const DTMF_TONE_TICKS = 5;
/** Ticks of audio after each digit. */
export const DTMF_GAP_TICKS = 5;
/** Ticks of a `p` pause (500 ms). */
export const DTMF_PAUSE_TICKS = 25;
/** The volume sent, in −dBm0 (10: a usual level). */
const VOLUME = 10;

/** What to send on one 20 ms tick while digits play. */
export type DtmfTick =
  | { kind: 'audio' }
  | {
      kind: 'event';
      /** The event code (0–11). */
      event: number;
      /** Whether this packet starts the event (marker bit; the event's RTP timestamp is this tick's). */
      start: boolean;
      /** Whether this is the final packet (end bit; sent three times). */
      end: boolean;
      /** The duration so far, in ticks (times the samples per tick on the wire). */
      ticks: number;
    };

/** The event payload (RFC 4733 §2.3): event, E bit, volume, duration in timestamp units. */
export function telephoneEventPayload(event: number, end: boolean, durationUnits: number): Buffer {
  const payload = Buffer.alloc(4);
  payload[0] = event;
  payload[1] = (end ? 0x80 : 0) | VOLUME;
  payload.writeUInt16BE(Math.min(durationUnits, 0xffff), 2);
  return payload;
}

/** The tick-by-tick schedule of a digit string (validated by the caller with {@link DTMF_DIGITS}). */
export function dtmfSchedule(digits: string): DtmfTick[] {
  const ticks: DtmfTick[] = [];
  for (const digit of digits) {
    if (digit === 'p') {
      for (let i = 0; i < DTMF_PAUSE_TICKS; i++) ticks.push({ kind: 'audio' });
      continue;
    }
    const event = EVENT_CODES[digit];
    if (event === undefined) throw new RangeError(`"${digit}" is not a DTMF digit`);
    for (let i = 1; i <= DTMF_TONE_TICKS; i++) {
      ticks.push({ kind: 'event', event, start: i === 1, end: i === DTMF_TONE_TICKS, ticks: i });
    }
    for (let i = 0; i < DTMF_GAP_TICKS; i++) ticks.push({ kind: 'audio' });
  }
  return ticks;
}

/** The digit of an event code (for received events), or null. */
export function digitOfEvent(event: number): string | null {
  return Object.entries(EVENT_CODES).find(([, code]) => code === event)?.[0] ?? null;
}
