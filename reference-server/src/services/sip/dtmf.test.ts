import { describe, expect, it } from 'vitest';
import {
  DTMF_DIGITS,
  DTMF_GAP_TICKS,
  DTMF_PAUSE_TICKS,
  DTMF_TONE_TICKS,
  digitOfEvent,
  dtmfSchedule,
  telephoneEventPayload,
} from './dtmf.js';

describe('RFC 4733 telephone events', () => {
  it('builds the 4-byte payload: event, end bit and volume, duration', () => {
    expect([...telephoneEventPayload(5, false, 160)]).toEqual([0x05, 0x0a, 0x00, 0xa0]);
    expect([...telephoneEventPayload(11, true, 800)]).toEqual([0x0b, 0x8a, 0x03, 0x20]);
    expect([...telephoneEventPayload(10, true, 100_000)]).toEqual([0x0a, 0x8a, 0xff, 0xff]);
  });

  it('schedules each digit as a marked event growing to its end, then a gap; p is a 500 ms pause', () => {
    const ticks = dtmfSchedule('1p#');
    expect(ticks).toHaveLength(2 * (DTMF_TONE_TICKS + DTMF_GAP_TICKS) + DTMF_PAUSE_TICKS);
    expect(DTMF_PAUSE_TICKS * 20).toBe(500);
    expect(ticks.slice(0, DTMF_TONE_TICKS)).toEqual([
      { kind: 'event', event: 1, start: true, end: false, ticks: 1 },
      { kind: 'event', event: 1, start: false, end: false, ticks: 2 },
      { kind: 'event', event: 1, start: false, end: false, ticks: 3 },
      { kind: 'event', event: 1, start: false, end: false, ticks: 4 },
      { kind: 'event', event: 1, start: false, end: true, ticks: 5 },
    ]);
    expect(ticks[DTMF_TONE_TICKS]).toEqual({ kind: 'audio' });
    const hash = ticks[DTMF_TONE_TICKS + DTMF_GAP_TICKS + DTMF_PAUSE_TICKS];
    expect(hash).toMatchObject({ kind: 'event', event: 11, start: true });
    expect(() => dtmfSchedule('A')).toThrow(/not a DTMF digit/);
  });

  it('accepts exactly the spec digits', () => {
    expect(DTMF_DIGITS.test('0123456789*#p')).toBe(true);
    for (const bad of ['', 'A', '1 2', 'P', 'w']) expect(DTMF_DIGITS.test(bad)).toBe(false);
    expect(digitOfEvent(10)).toBe('*');
    expect(digitOfEvent(16)).toBeNull();
  });
});
