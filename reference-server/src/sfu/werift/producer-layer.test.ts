/**
 * A layer learns its frame size from the keyframes of its codec: the SPS that H.264 publishers send with
 * each IDR, the keyframe header of VP8. The layer selector ranks simulcast layers by that size.
 */
import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import type { MediaKind, RtpCodec } from '../types.js';
import { ProducerLayer } from './producer-layer.js';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

/** x264 SPS NAL units (from h264-sps.test.ts, where their making is described): 640x360 main, 320x180 high. */
const SPS_640X360 = hex('674d401eeca05017fcb80880000003008000001e078b16cb');
const SPS_320X180 = hex('6764000dacd941419f9f0110000003001000000303c0f1429960');
const PPS = hex('68ebe3cb20');

/** An RFC 6184 STAP-A of the NAL units, as browsers send the SPS and PPS ahead of an IDR. */
function stapA(...nals: Buffer[]): Buffer {
  return Buffer.concat([
    Buffer.of(0x78),
    ...nals.flatMap((nal) => [Buffer.of(nal.length >> 8, nal.length & 0xff), nal]),
  ]);
}

function layer(kind: MediaKind, mimeType: string): ProducerLayer {
  const codec: RtpCodec = { mimeType, payloadType: 102, clockRate: kind === 'audio' ? 48_000 : 90_000 };
  return new ProducerLayer({ kind, codec, sendPli: () => {} }, { declaredIndex: 0 });
}

let sequenceNumber = 0;
function packet(payload: Buffer): RtpPacket {
  sequenceNumber++;
  return new RtpPacket(
    new RtpHeader({ payloadType: 102, sequenceNumber, timestamp: sequenceNumber * 3000, ssrc: 0x1234 }),
    payload,
  );
}

describe('ProducerLayer frame size', () => {
  it('learns an H.264 layer size from the SPS of a keyframe, and follows a new one', () => {
    const h264 = layer('video', 'video/H264');
    h264.receive(packet(hex('419a0000')), 0); // a non-IDR slice
    h264.receive(packet(hex('7c85888400')), 10); // FU-A start of an IDR slice: no SPS
    expect(h264.width).toBeUndefined();
    expect(h264.describe()).not.toHaveProperty('width');

    h264.receive(packet(stapA(SPS_640X360, PPS)), 20);
    expect({ width: h264.width, height: h264.height }).toEqual({ width: 640, height: 360 });
    expect(h264.describe()).toMatchObject({ width: 640, height: 360 });

    // A truncated SPS teaches nothing; the next keyframe at a lower resolution (the encoder adapted) does.
    h264.receive(packet(stapA(SPS_320X180.subarray(0, 6), PPS)), 30);
    expect(h264.width).toBe(640);
    h264.receive(packet(SPS_320X180), 40);
    expect({ width: h264.width, height: h264.height }).toEqual({ width: 320, height: 180 });
  });

  it('keeps reading VP8 sizes from VP8 keyframes only', () => {
    const vp8 = layer('video', 'video/VP8');
    vp8.receive(packet(stapA(SPS_640X360, PPS)), 0); // H.264 bytes mean nothing to a VP8 layer
    expect(vp8.width).toBeUndefined();
    // Descriptor S=1, frame tag with P=0, start code 9d 01 2a, then 1280 and 720 little-endian.
    vp8.receive(packet(hex('10500000' + '9d012a' + '0005' + 'd002')), 10);
    expect({ width: vp8.width, height: vp8.height }).toEqual({ width: 1280, height: 720 });
  });

  it('reads no size on audio', () => {
    const audio = layer('audio', 'audio/opus');
    audio.receive(packet(SPS_640X360), 0);
    expect(audio.width).toBeUndefined();
  });
});
