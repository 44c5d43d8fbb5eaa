import { TypedEmitter } from '@parley/events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FfmpegProcessEvents } from './ffmpeg-process.js';
import { RTP_LOSS_WARNING, requestKeyframesWhileNeeded } from './keyframe-requests.js';

const EXIT = { ok: true, code: 0, signal: null, reason: '' } as const;

/** A process stand-in, a controllable first output and a request counter. */
function setup() {
  const process = new TypedEmitter<FfmpegProcessEvents>();
  let output: (ok: boolean) => void = () => undefined;
  const firstOutput = new Promise<boolean>((resolve) => {
    output = resolve;
  });
  const counter = { requests: 0 };
  const stop = requestKeyframesWhileNeeded(process, firstOutput, () => {
    counter.requests += 1;
  });
  return { process, output, counter, stop };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('requestKeyframesWhileNeeded', () => {
  it('asks at once and every second until the first output, then only after losses, once a second', async () => {
    const { process, output, counter } = setup();
    expect(counter.requests).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(counter.requests).toBe(4);
    output(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(counter.requests).toBe(4);
    process.emit('stderr', '[sdp @ 0x55] RTP: missed 98 packets');
    process.emit('stderr', '[sdp @ 0x55] Missed a picture, sequence broken');
    expect(counter.requests).toBe(5);
    process.emit('stderr', '[mp4 @ 0x55] something unrelated');
    await vi.advanceTimersByTimeAsync(1000);
    process.emit('stderr', '[sdp @ 0x55] Keyframe missing');
    expect(counter.requests).toBe(6);
  });

  it('stops when the process exits, when it never outputs, or when stopped', async () => {
    const exited = setup();
    exited.process.emit('exit', EXIT);
    await vi.advanceTimersByTimeAsync(3000);
    exited.process.emit('stderr', 'RTP: missed 1 packets');
    expect(exited.counter.requests).toBe(1);

    const failed = setup();
    failed.output(false);
    await vi.advanceTimersByTimeAsync(3000);
    failed.process.emit('stderr', 'RTP: missed 1 packets');
    expect(failed.counter.requests).toBe(1);

    const stopped = setup();
    stopped.stop();
    await vi.advanceTimersByTimeAsync(3000);
    expect(stopped.counter.requests).toBe(1);
  });

  it('recognises ffmpeg 5.1 RTP loss warnings only', () => {
    for (const line of [
      'RTP: missed 14 packets',
      'Missed part of a keyframe, sequence broken',
      'Keyframe missing',
      'max delay reached. need to consume packet',
    ]) {
      expect(RTP_LOSS_WARNING.test(line)).toBe(true);
    }
    expect(RTP_LOSS_WARNING.test('Stream #0: not enough frames to estimate rate')).toBe(false);
  });
});
