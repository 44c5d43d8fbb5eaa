import { describe, expect, it } from 'vitest';
import type { RtpPacket } from 'werift';
import type { RtpSink } from './forwarding.js';
import {
  acquireKeyFrameLimiter,
  KEYFRAME_REQUEST_INTERVAL_MS,
  KeyFrameRequestLimiter,
  type KeyFrameSource,
} from './keyframe-requests.js';

/** A clock and timers the test advances by hand. */
function manualClock() {
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let nextId = 1;
  return {
    now: () => now,
    setTimer: (callback: () => void, ms: number): unknown => {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimer: (timer: unknown): void => {
      timers.delete(timer as number);
    },
    advance(ms: number): void {
      const target = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = target;
    },
    get timers(): number {
      return timers.size;
    },
  };
}

const packet = (...payload: number[]): RtpPacket => ({ payload: Buffer.from(payload) }) as RtpPacket;
const VP8_KEY = packet(0x10, 0x50);
const VP8_DELTA = packet(0x10, 0x51);

function limiter(clock: ReturnType<typeof manualClock>, mimeType = 'video/VP8') {
  let sent = 0;
  const subject = new KeyFrameRequestLimiter({
    send: () => sent++,
    mimeType,
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  return { subject, sent: () => sent };
}

describe('KeyFrameRequestLimiter', () => {
  it('sends the first request at once and coalesces a burst from many subscribers', () => {
    const clock = manualClock();
    const { subject, sent } = limiter(clock);
    for (let i = 0; i < 16; i++) {
      subject.request();
      clock.advance(10);
    }
    // One at once, one deferred to the end of the interval for the fifteen that came after it.
    expect(sent()).toBe(1);
    expect(subject.pending).toBe(true);
    clock.advance(KEYFRAME_REQUEST_INTERVAL_MS);
    expect(sent()).toBe(2);
    expect(subject.coalesced).toBe(14);
  });

  it('never sends two requests less than the interval apart, however they arrive', () => {
    const clock = manualClock();
    const sentAt: number[] = [];
    const subject = new KeyFrameRequestLimiter({
      send: () => sentAt.push(clock.now()),
      mimeType: 'video/VP8',
      now: clock.now,
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    });
    // A request every 37 ms for 5 s.
    for (let t = 0; t < 5_000; t += 37) {
      subject.request();
      clock.advance(37);
    }
    clock.advance(1_000);
    expect(sentAt.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < sentAt.length; i++) {
      expect((sentAt[i] ?? 0) - (sentAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(KEYFRAME_REQUEST_INTERVAL_MS);
    }
  });

  it('cancels the deferred request when a keyframe passes first, and not for a delta frame', () => {
    const clock = manualClock();
    const { subject, sent } = limiter(clock);
    subject.request();
    clock.advance(100);
    subject.request();
    subject.deliver(VP8_DELTA);
    expect(subject.pending).toBe(true);
    subject.deliver(VP8_KEY);
    expect(subject.pending).toBe(false);
    clock.advance(KEYFRAME_REQUEST_INTERVAL_MS);
    expect(sent()).toBe(1);
    expect(clock.timers).toBe(0);
  });

  it('sends the deferred request for codecs it cannot inspect', () => {
    const clock = manualClock();
    const { subject, sent } = limiter(clock, 'video/AV1');
    subject.request();
    subject.request();
    subject.deliver(VP8_KEY);
    clock.advance(KEYFRAME_REQUEST_INTERVAL_MS);
    expect(sent()).toBe(2);
  });

  it('sends nothing after close', () => {
    const clock = manualClock();
    const { subject, sent } = limiter(clock);
    subject.request();
    subject.request();
    subject.close();
    clock.advance(KEYFRAME_REQUEST_INTERVAL_MS);
    subject.request();
    expect(sent()).toBe(1);
    expect(clock.timers).toBe(0);
  });
});

describe('acquireKeyFrameLimiter', () => {
  function producer(kind: 'audio' | 'video') {
    const sinks = new Set<RtpSink>();
    let requests = 0;
    const source: KeyFrameSource = {
      kind,
      codec: { mimeType: kind === 'video' ? 'video/VP8' : 'audio/opus' },
      requestKeyFrame: () => requests++,
      addSink: (sink) => sinks.add(sink),
      removeSink: (sink) => sinks.delete(sink),
    };
    return { source, sinks, requests: () => requests };
  }

  it('shares one limiter among the consumers of a producer: one request reaches it for sixteen', () => {
    const { source, sinks, requests } = producer('video');
    const held = Array.from({ length: 16 }, () => acquireKeyFrameLimiter(source));
    expect(new Set(held.map((h) => h.limiter)).size).toBe(1);
    // Attached once, to see keyframes pass.
    expect(sinks.size).toBe(1);
    for (const { limiter: shared } of held) shared.request();
    expect(requests()).toBe(1);
    for (const { release } of held) release();
    expect(sinks.size).toBe(0);
    // A new consumer gets a fresh limiter.
    const again = acquireKeyFrameLimiter(source);
    expect(held.some((h) => h.limiter === again.limiter)).toBe(false);
    again.release();
  });

  it('releases once per holder and does not watch audio packets', () => {
    const { source, sinks } = producer('audio');
    const first = acquireKeyFrameLimiter(source);
    const second = acquireKeyFrameLimiter(source);
    expect(sinks.size).toBe(0);
    first.release();
    first.release();
    // Still held by the second consumer.
    expect(acquireKeyFrameLimiter(source).limiter).toBe(second.limiter);
  });
});
