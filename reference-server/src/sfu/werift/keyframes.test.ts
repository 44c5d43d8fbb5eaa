import { describe, expect, it } from 'vitest';
import { h264KeyFrameSize } from './h264-sps.js';
import {
  isH264KeyFrameStart,
  isVp8KeyFrameStart,
  keyFrameDetector,
  keyFrameSizeReader,
  vp8KeyFrameSize,
} from './keyframes.js';

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

describe('keyframe size readers', () => {
  it('picks the reader by MIME type, case-insensitively', () => {
    expect(keyFrameSizeReader('video/VP8')).toBe(vp8KeyFrameSize);
    expect(keyFrameSizeReader('video/vp8')).toBe(vp8KeyFrameSize);
    expect(keyFrameSizeReader('video/H264')).toBe(h264KeyFrameSize);
    expect(keyFrameSizeReader('audio/opus')).toBeUndefined();
  });

  it('reads the VP8 keyframe size and nothing from a delta frame', () => {
    // S=1, frame tag P=0, start code, 640 and 360 little-endian (14 bits, scaling bits 0).
    expect(vp8KeyFrameSize(bytes(0x10, 0x50, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01))).toEqual({
      width: 640,
      height: 360,
    });
    expect(
      vp8KeyFrameSize(bytes(0x10, 0x51, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01)),
    ).toBeUndefined();
    expect(
      vp8KeyFrameSize(bytes(0x10, 0x50, 0x00, 0x00, 0x9d, 0x01, 0x2b, 0x80, 0x02, 0x68, 0x01)),
    ).toBeUndefined();
  });
});
