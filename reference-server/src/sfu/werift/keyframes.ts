/**
 * Keyframe detection in RTP payloads (VP8 and H.264): which packets start a keyframe. Used to tell that
 * a pending keyframe request was already answered. Reads a few bytes of the payload, allocates nothing.
 */

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
