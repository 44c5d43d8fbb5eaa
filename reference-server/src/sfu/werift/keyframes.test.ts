import { describe, expect, it } from 'vitest';
import { isH264KeyFrameStart, isVp8KeyFrameStart, keyFrameDetector } from './keyframes.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('VP8 keyframe detection', () => {
  it('recognises a keyframe start with and without the extended descriptor', () => {
    // S=1, PID=0, then the frame header with P=0.
    expect(isVp8KeyFrameStart(bytes(0x10, 0x50))).toBe(true);
    // X=1, S=1; I=1 with a 15-bit PictureID (M set), L=1, T=1: 5 descriptor bytes before the header.
    expect(isVp8KeyFrameStart(bytes(0x90, 0xe0, 0x80, 0x01, 0x02, 0x03, 0x50))).toBe(true);
    // X=1, S=1; I=1 with a 7-bit PictureID.
    expect(isVp8KeyFrameStart(bytes(0x90, 0x80, 0x05, 0x50))).toBe(true);
  });

  it('rejects delta frames, continuation packets and truncated payloads', () => {
    expect(isVp8KeyFrameStart(bytes(0x10, 0x51))).toBe(false); // P=1: interframe
    expect(isVp8KeyFrameStart(bytes(0x00, 0x50))).toBe(false); // not the start of a partition
    expect(isVp8KeyFrameStart(bytes(0x11, 0x50))).toBe(false); // partition 1
    expect(isVp8KeyFrameStart(bytes(0x90, 0x80, 0x85))).toBe(false); // header missing
    expect(isVp8KeyFrameStart(bytes())).toBe(false);
  });
});

describe('H.264 keyframe detection', () => {
  it('recognises IDR slices and SPS, alone, aggregated and fragmented', () => {
    expect(isH264KeyFrameStart(bytes(0x65, 0x88))).toBe(true); // IDR
    expect(isH264KeyFrameStart(bytes(0x67, 0x42))).toBe(true); // SPS
    // STAP-A: an SEI (6) of 2 bytes, then an SPS.
    expect(isH264KeyFrameStart(bytes(0x78, 0x00, 0x02, 0x06, 0x00, 0x00, 0x02, 0x67, 0x42))).toBe(true);
    // FU-A, start bit, IDR.
    expect(isH264KeyFrameStart(bytes(0x7c, 0x85, 0x00))).toBe(true);
  });

  it('rejects non-IDR slices, later fragments and STAP-A without a keyframe', () => {
    expect(isH264KeyFrameStart(bytes(0x41, 0x9a))).toBe(false);
    expect(isH264KeyFrameStart(bytes(0x7c, 0x05, 0x00))).toBe(false); // FU-A middle of an IDR
    expect(isH264KeyFrameStart(bytes(0x7c, 0x81, 0x00))).toBe(false); // FU-A start of a non-IDR slice
    expect(isH264KeyFrameStart(bytes(0x78, 0x00, 0x02, 0x06, 0x00, 0x00, 0x02, 0x41, 0x00))).toBe(false);
    expect(isH264KeyFrameStart(bytes())).toBe(false);
  });

  it('picks the detector by MIME type, case-insensitively', () => {
    expect(keyFrameDetector('video/VP8')).toBe(isVp8KeyFrameStart);
    expect(keyFrameDetector('video/H264')).toBe(isH264KeyFrameStart);
    expect(keyFrameDetector('audio/opus')).toBeUndefined();
  });
});
