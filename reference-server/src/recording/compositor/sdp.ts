/**
 * The SDP that tells ffmpeg what RTP arrives on which loopback port. All tracks of a recording go in one
 * SDP (one ffmpeg input), so ffmpeg binds every port at once and starts every track's clock together:
 * tracks opened one input at a time would be offset by each input's probing time.
 *
 * Payload types are fixed per codec here; the RTP forwarder rewrites each packet's payload type to
 * match, whatever the publisher negotiated.
 */
import type { RtpCodec } from '../../sfu/types.js';

/** A codec ffmpeg receives, with the payload type this SDP uses for it. */
export interface SdpCodec {
  /** The `a=rtpmap` encoding name. */
  encoding: 'VP8' | 'H264' | 'opus';
  kind: 'audio' | 'video';
  payloadType: number;
  clockRate: number;
  channels?: number;
  /** `a=fmtp` parameters. */
  fmtp?: string;
}

const CODECS: Record<string, SdpCodec> = {
  'video/vp8': { encoding: 'VP8', kind: 'video', payloadType: 96, clockRate: 90_000 },
  'video/h264': {
    encoding: 'H264',
    kind: 'video',
    payloadType: 102,
    clockRate: 90_000,
    fmtp: 'packetization-mode=1',
  },
  'audio/opus': { encoding: 'opus', kind: 'audio', payloadType: 111, clockRate: 48_000, channels: 2 },
};

/**
 * The SDP codec for a negotiated codec. Throws a `TypeError` naming the MIME type when ffmpeg cannot
 * receive it (only Opus, VP8 and H.264 are routed by the SFU).
 */
export function sdpCodecFor(codec: Pick<RtpCodec, 'mimeType'>): SdpCodec {
  const found = CODECS[codec.mimeType.toLowerCase()];
  if (!found)
    throw new TypeError(`codec.mimeType ${codec.mimeType} cannot be recorded (Opus, VP8 or H.264 only)`);
  return found;
}

/** One m-section: a track and the port it arrives on. */
export interface SdpTrack {
  codec: SdpCodec;
  /** The RTP port (even); ffmpeg also binds `port + 1` for RTCP. */
  port: number;
}

/** The SDP describing `tracks`, in order (ffmpeg numbers the streams of the input the same way). */
export function buildSdp(tracks: readonly SdpTrack[]): string {
  if (tracks.length === 0) throw new RangeError('tracks must not be empty');
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=Parley recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const { codec, port } of tracks) {
    const channels = codec.channels ? `/${codec.channels}` : '';
    lines.push(`m=${codec.kind} ${port} RTP/AVP ${codec.payloadType}`);
    lines.push(`a=rtpmap:${codec.payloadType} ${codec.encoding}/${codec.clockRate}${channels}`);
    if (codec.fmtp) lines.push(`a=fmtp:${codec.payloadType} ${codec.fmtp}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
