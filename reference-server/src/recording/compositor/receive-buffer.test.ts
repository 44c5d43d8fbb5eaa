import { describe, expect, it } from 'vitest';
import {
  FFMPEG_DEFAULT_RECEIVE_BUFFER_BYTES,
  receiveBufferFor,
  rtpReceiveBufferBytes,
  WANTED_RECEIVE_BUFFER_BYTES,
} from './receive-buffer.js';

describe('receiveBufferFor', () => {
  it('asks for 4 MiB capped at the kernel limit, or keeps ffmpeg’s default below it', () => {
    expect(receiveBufferFor(16 * 1024 * 1024)).toBe(WANTED_RECEIVE_BUFFER_BYTES);
    expect(receiveBufferFor(1_000_000)).toBe(1_000_000);
    expect(receiveBufferFor(212_992)).toBeNull();
    expect(receiveBufferFor(FFMPEG_DEFAULT_RECEIVE_BUFFER_BYTES)).toBeNull();
    expect(receiveBufferFor(null)).toBeNull();
    expect(receiveBufferFor(Number.NaN)).toBeNull();
  });

  it('reads this machine’s limit once', async () => {
    const first = rtpReceiveBufferBytes();
    expect(rtpReceiveBufferBytes()).toBe(first);
    const value = await first;
    expect(
      value === null || (value > FFMPEG_DEFAULT_RECEIVE_BUFFER_BYTES && value <= WANTED_RECEIVE_BUFFER_BYTES),
    ).toBe(true);
  });
});
