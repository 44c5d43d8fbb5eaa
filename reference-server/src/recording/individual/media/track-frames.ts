/**
 * Rebuilds one track's frames from its packets in sequence order, as the file stores them: a VP8 frame
 * (the RTP payload descriptors removed), an H.264 access unit with length-prefixed NAL units (plus the
 * parameter sets and picture size on keyframes, for the track header), or an Opus packet.
 *
 * A video frame is complete at its marker bit. A frame with a lost packet, or one cut short by a frame
 * with another timestamp, cannot be decoded and is dropped; {@link FramePush.lost} tells the caller so it
 * can skip to the next keyframe (the frames after a lost one reference it) and ask for one.
 */
import { dePacketizeRtpPackets, type RtpPacket } from 'werift';
import {
  avcDecoderConfiguration,
  NAL,
  nalType,
  splitAnnexB,
  spsDimensions,
  toLengthPrefixed,
} from './h264.js';
import type { OrderedPacket } from './rtp-reorder.js';

/** The codecs a stream file records. */
export type TrackCodec = 'vp8' | 'h264' | 'opus';

/** The file codec of an RTP mime type, or null when it cannot be recorded as received. */
export function trackCodecOf(mimeType: string): TrackCodec | null {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return 'vp8';
    case 'video/h264':
      return 'h264';
    case 'audio/opus':
      return 'opus';
    default:
      return null;
  }
}

/** A frame as stored in the file. */
export interface EncodedFrame {
  data: Buffer;
  keyframe: boolean;
  rtpTimestamp: number;
  /** Video keyframes: the picture size (from the VP8 frame header or the H.264 SPS). */
  size?: { width: number; height: number };
  /** H.264 keyframes: the AVCDecoderConfigurationRecord of the parameter sets in force. */
  codecPrivate?: Buffer;
}

/** What one packet produced. */
export interface FramePush {
  frames: EncodedFrame[];
  /** A frame was lost or dropped as broken: the next frames need a keyframe first. */
  lost: boolean;
}

/** The picture size in a VP8 keyframe's header, or null when `frame` is not a keyframe. */
export function vp8KeyframeSize(frame: Buffer): { width: number; height: number } | null {
  // Frame tag bit 0 is 0 for a keyframe, followed by the start code 9d 01 2a and the 14-bit sizes.
  if (frame.length < 10 || ((frame[0] ?? 1) & 1) !== 0) return null;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return null;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

/** See the file comment. */
export class TrackFrames {
  readonly codec: TrackCodec;
  #packets: RtpPacket[] = [];
  #broken = false;
  #sps: Buffer | null = null;
  #pps: Buffer | null = null;

  constructor(codec: TrackCodec) {
    this.codec = codec;
  }

  /** Takes the next packet in sequence order. */
  push({ packet, afterLoss }: OrderedPacket): FramePush {
    if (packet.payload.length === 0) return { frames: [], lost: afterLoss && this.codec !== 'opus' };
    if (this.codec === 'opus') {
      return {
        frames: [
          { data: Buffer.from(packet.payload), keyframe: true, rtpTimestamp: packet.header.timestamp },
        ],
        lost: false,
      };
    }
    let lost = afterLoss;
    const current = this.#packets[0];
    if (current && current.header.timestamp !== packet.header.timestamp) {
      // The previous frame never got its marker: its last packet was lost.
      this.#packets = [];
      this.#broken = false;
      lost = true;
    }
    if (afterLoss) this.#broken = true;
    this.#packets.push(packet);
    if (!packet.header.marker) return { frames: [], lost };
    const packets = this.#packets;
    const broken = this.#broken;
    this.#packets = [];
    this.#broken = false;
    if (broken) return { frames: [], lost: true };
    const frame = this.#assemble(packets);
    return frame ? { frames: [frame], lost } : { frames: [], lost: true };
  }

  #assemble(packets: RtpPacket[]): EncodedFrame | null {
    const rtpTimestamp = packets[0]?.header.timestamp ?? 0;
    let data: Buffer;
    try {
      data = dePacketizeRtpPackets(this.codec === 'vp8' ? 'VP8' : 'MPEG4/ISO/AVC', packets).data;
    } catch {
      return null;
    }
    if (data.length === 0) return null;
    if (this.codec === 'vp8') {
      const size = vp8KeyframeSize(data);
      return size ? { data, keyframe: true, rtpTimestamp, size } : { data, keyframe: false, rtpTimestamp };
    }
    const units = splitAnnexB(data).filter((unit) => nalType(unit) !== NAL.AUD);
    let keyframe = false;
    for (const unit of units) {
      const type = nalType(unit);
      if (type === NAL.SPS) this.#sps = Buffer.from(unit);
      else if (type === NAL.PPS) this.#pps = Buffer.from(unit);
      else if (type === NAL.IDR) keyframe = true;
    }
    if (units.length === 0) return null;
    const frame: EncodedFrame = { data: toLengthPrefixed(units), keyframe, rtpTimestamp };
    if (keyframe && this.#sps && this.#pps) {
      try {
        frame.size = spsDimensions(this.#sps);
        frame.codecPrivate = avcDecoderConfiguration(this.#sps, this.#pps);
      } catch {
        // An SPS this parser cannot read: the frame is kept, the header waits for a readable one.
      }
    }
    return frame;
  }
}
