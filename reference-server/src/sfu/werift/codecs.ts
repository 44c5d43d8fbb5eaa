/**
 * The codecs and RTP header extensions each leg negotiates.
 *
 * Publisher leg: Opus, VP8 and H.264 with NACK, PLI, FIR and REMB feedback and RTX, and no transport-cc:
 * with TWCC on the publisher leg Chrome's bandwidth estimate collapsed (see media-stack-notes §2), so the
 * engine sends REMB instead.
 *
 * Subscriber leg: exactly the producer's codec. werift's sender rewrites every packet's payload type to
 * the first negotiated codec, so offering anything else would label H.264 as VP8.
 */
import {
  RTCRtpCodecParameters,
  type RTCRtpHeaderExtensionParameters,
  type RTCRtpTransceiver,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
} from 'werift';
import { SfuError } from '../errors.js';
import type { MediaKind, RtpCodec } from '../types.js';

const VIDEO_FEEDBACK = [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'goog-remb' },
];

/** Fresh codec lists for a publisher peer connection (werift assigns payload types in place). */
export function publisherCodecs(): { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] } {
  return {
    audio: [opus()],
    video: [
      new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, rtcpFeedback: VIDEO_FEEDBACK }),
      rtx(),
      new RTCRtpCodecParameters({
        // Uppercase: Chrome negotiates lowercase `h264` and then sends nothing.
        mimeType: 'video/H264',
        clockRate: 90_000,
        rtcpFeedback: VIDEO_FEEDBACK,
        parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      }),
      rtx(),
    ],
  };
}

/** Codec lists for a subscriber peer connection: the producers' codecs and nothing else. */
export function subscriberCodecs(codecs: readonly RtpCodec[]): {
  audio: RTCRtpCodecParameters[];
  video: RTCRtpCodecParameters[];
} {
  const audio: RTCRtpCodecParameters[] = [];
  const video: RTCRtpCodecParameters[] = [];
  for (const codec of codecs) {
    const kind = kindOf(codec);
    const list = kind === 'audio' ? audio : video;
    // Two producers of one kind with different codecs cannot share a peer connection config.
    if (list.length > 0) {
      const first = list[0] as RTCRtpCodecParameters;
      if (normalizeMimeType(first.mimeType) !== codec.mimeType) {
        throw new SfuError(
          'UNSUPPORTED_CODEC',
          `A subscriber cannot mix ${first.mimeType} and ${codec.mimeType}`,
        );
      }
      continue;
    }
    if (kind === 'audio') {
      list.push(opus(codec.parameters));
    } else {
      list.push(
        new RTCRtpCodecParameters({
          mimeType: codec.mimeType,
          clockRate: codec.clockRate,
          rtcpFeedback: VIDEO_FEEDBACK,
          ...(codec.parameters ? { parameters: codec.parameters } : {}),
        }),
        rtx(),
      );
    }
  }
  return { audio, video };
}

/**
 * The header extensions a leg negotiates: the MID, which bundled m-sections need, and on the publisher
 * leg the rid extensions that RID simulcast layers are told apart by (werift routes them by rid until
 * it has learnt their SSRCs).
 */
export function headerExtensions(leg: 'publisher' | 'subscriber' = 'subscriber'): {
  audio: RTCRtpHeaderExtensionParameters[];
  video: RTCRtpHeaderExtensionParameters[];
} {
  const video = [useSdesMid()];
  if (leg === 'publisher') video.push(useSdesRTPStreamId(), useRepairedRtpStreamId());
  return { audio: [useSdesMid()], video };
}

/** The codec a transceiver negotiated (its first non-RTX codec), in engine terms. */
export function negotiatedCodec(transceiver: RTCRtpTransceiver): RtpCodec {
  const codec = transceiver.codecs.find((c) => !/\/(rtx|red|ulpfec)$/i.test(c.mimeType));
  if (!codec) {
    throw new SfuError(
      'UNSUPPORTED_CODEC',
      `The ${transceiver.kind} section has no Opus, VP8 or H.264 codec`,
    );
  }
  return toRtpCodec(codec);
}

/** Converts a werift codec, normalising the MIME type (`audio/opus`, `video/VP8`, `video/H264`). */
export function toRtpCodec(codec: RTCRtpCodecParameters): RtpCodec {
  return {
    mimeType: normalizeMimeType(codec.mimeType),
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    ...(codec.channels !== undefined ? { channels: codec.channels } : {}),
    ...(codec.parameters ? { parameters: codec.parameters } : {}),
  };
}

/** `audio/OPUS` → `audio/opus`, `video/vp8` → `video/VP8`, `video/h264` → `video/H264`. */
export function normalizeMimeType(mimeType: string): string {
  const [type = '', name = ''] = mimeType.split('/');
  const lower = name.toLowerCase();
  return `${type.toLowerCase()}/${lower === 'opus' ? 'opus' : lower === 'rtx' ? 'rtx' : name.toUpperCase()}`;
}

/** The media kind of a codec. */
export function kindOf(codec: RtpCodec): MediaKind {
  return codec.mimeType.startsWith('audio/') ? 'audio' : 'video';
}

function opus(parameters = 'minptime=10;useinbandfec=1'): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, parameters });
}

function rtx(): RTCRtpCodecParameters {
  // werift gives RTX the payload type after its primary codec and sets `apt` accordingly.
  return new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90_000 });
}
