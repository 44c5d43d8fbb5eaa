/**
 * Keyframe detection in RTP payloads (VP8 and H.264): which packets start a keyframe. Used to tell that
 * a pending keyframe request was already answered. Reads a few bytes of the payload, allocates nothing.
 * Also the frame size a keyframe announces, which ranks simulcast layers.
 */
import { type FrameSize, h264KeyFrameSize } from './h264-sps.js';

/** Whether a VP8 RTP payload (RFC 7741) starts a keyframe. */
export function isVp8KeyFrameStart(payload: Uint8Array): boolean {
  const first = payload[0];
  if (first === undefined) return false;
  // S (start of partition) set and partition index 0: the packet starts a frame.
  if ((first & 0x10) === 0 || (first & 0x07) !== 0) return false;
  let offset = 1;
  if (first & 0x80) {
    const extension = payload[offset++];
    if (extension === undefined) return false;
    if (extension & 0x80) {
      // PictureID: 15 bits when its M bit is set, else 7.
      const pictureId = payload[offset];
      if (pictureId === undefined) return false;
      offset += pictureId & 0x80 ? 2 : 1;
    }
    if (extension & 0x40) offset++; // TL0PICIDX
    if (extension & 0x30) offset++; // TID / KEYIDX
  }
  const header = payload[offset];
  // The VP8 frame header's P bit: 0 for a keyframe.
  return header !== undefined && (header & 0x01) === 0;
}

const H264_IDR = 5;
const H264_SPS = 7;
const H264_STAP_A = 24;
const H264_FU_A = 28;

/** Whether an H.264 RTP payload (RFC 6184) starts a keyframe (an IDR slice or the SPS before one). */
export function isH264KeyFrameStart(payload: Uint8Array): boolean {
  const first = payload[0];
  if (first === undefined) return false;
  const type = first & 0x1f;
  if (type === H264_IDR || type === H264_SPS) return true;
  if (type === H264_FU_A) {
    const fu = payload[1];
    // The first fragment (S bit) of an IDR slice.
    return fu !== undefined && (fu & 0x80) !== 0 && (fu & 0x1f) === H264_IDR;
  }
  if (type === H264_STAP_A) {
    // Aggregated NAL units, each preceded by its 16-bit size.
    let offset = 1;
    while (offset + 2 < payload.length) {
      const size = ((payload[offset] ?? 0) << 8) | (payload[offset + 1] ?? 0);
      const nal = (payload[offset + 2] ?? 0) & 0x1f;
      if (nal === H264_IDR || nal === H264_SPS) return true;
      offset += 2 + size;
    }
  }
  return false;
}

/** The keyframe test for a codec's MIME type, or undefined when the codec is not recognised. */
export function keyFrameDetector(mimeType: string): ((payload: Uint8Array) => boolean) | undefined {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return isVp8KeyFrameStart;
    case 'video/h264':
      return isH264KeyFrameStart;
    default:
      return undefined;
  }
}

/**
 * The frame size a VP8 keyframe announces (RFC 6386 §9.1: after the 3-byte frame tag, the start code
 * `9d 01 2a` and two 16-bit little-endian fields whose low 14 bits are the width and height), read from
 * the RTP payload that starts the keyframe; undefined when the payload does not start a keyframe.
 */
export function vp8KeyFrameSize(payload: Uint8Array): FrameSize | undefined {
  if (!isVp8KeyFrameStart(payload)) return undefined;
  const first = payload[0] as number;
  let offset = 1;
  if (first & 0x80) {
    const extension = payload[offset++] ?? 0;
    if (extension & 0x80) offset += (payload[offset] ?? 0) & 0x80 ? 2 : 1;
    if (extension & 0x40) offset++;
    if (extension & 0x30) offset++;
  }
  // Frame tag (3 bytes), start code (3 bytes), width and height (2 bytes each).
  if (payload.length < offset + 10) return undefined;
  if (payload[offset + 3] !== 0x9d || payload[offset + 4] !== 0x01 || payload[offset + 5] !== 0x2a) {
    return undefined;
  }
  const width = ((payload[offset + 6] as number) | ((payload[offset + 7] as number) << 8)) & 0x3fff;
  const height = ((payload[offset + 8] as number) | ((payload[offset + 9] as number) << 8)) & 0x3fff;
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/**
 * The reader of the frame size keyframes announce for a codec's MIME type (VP8: the keyframe header;
 * H.264: the SPS sent with each keyframe), or undefined when the codec is not recognised.
 */
export function keyFrameSizeReader(
  mimeType: string,
): ((payload: Uint8Array) => FrameSize | undefined) | undefined {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return vp8KeyFrameSize;
    case 'video/h264':
      return h264KeyFrameSize;
    default:
      return undefined;
  }
}
