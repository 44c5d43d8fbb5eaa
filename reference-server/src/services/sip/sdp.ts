/**
 * The SDP of a SIP call (RFC 4566, offer/answer RFC 3264): the audio offer Parley sends in the INVITE —
 * Opus (RFC 7587), G.711 µ-law and A-law, and RFC 4733 `telephone-event` at both clock rates for DTMF —
 * and the parts of the callee's answer the media needs: its RTP address, the codec it chose, its
 * telephone-event payload type and its direction (a `sendonly`/`inactive` re-INVITE puts the call on hold).
 */

/** The telephone-event payload type Parley offers at 8 kHz (with G.711). */
export const TELEPHONE_EVENT_PAYLOAD_TYPE = 101;
/** The telephone-event payload type Parley offers at 48 kHz (with Opus). */
export const TELEPHONE_EVENT_48K_PAYLOAD_TYPE = 102;
/** The Opus payload type Parley offers. */
export const OPUS_PAYLOAD_TYPE = 111;

/** An audio codec of a SIP call: G.711 µ-law or A-law, or Opus. */
export type SipAudioCodec = 'pcmu' | 'pcma' | 'opus';

/** The static payload types of G.711 (RFC 3551). */
const STATIC_LAWS: Readonly<Record<number, SipAudioCodec>> = { 0: 'pcmu', 8: 'pcma' };

/** What the offer describes. */
export interface SdpOffer {
  /** The address RTP is received on (IPv4 or IPv6). */
  address: string;
  port: number;
  /** Changes with every new offer in the dialog (`o=` version). */
  version: number;
  /** Fixed for the dialog (`o=` session ID). */
  sessionId: string;
}

/** The media of an answer. */
export interface SdpAnswerMedia {
  address: string;
  port: number;
  /** The codec chosen (the first one of the answer's `m=` line that Parley offered). */
  codec: SipAudioCodec;
  payloadType: number;
  /** The RTP clock of the codec: 8000 for G.711, 48 000 for Opus. */
  clockRate: number;
  /**
   * The answer's telephone-event payload type at the codec's clock rate, or null when it has none (no
   * DTMF possible).
   */
  telephoneEvent: number | null;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

/** The rtpmap encoding names Parley offered. */
const CODEC_NAMES: Readonly<Record<string, SipAudioCodec>> = { pcmu: 'pcmu', pcma: 'pcma', opus: 'opus' };

/** Thrown for an answer Parley cannot use; the message says why. */
export class SdpError extends Error {
  override readonly name = 'SdpError';
}

/** The offer's SDP text. */
export function buildOffer(offer: SdpOffer): string {
  const family = offer.address.includes(':') ? 'IP6' : 'IP4';
  const te = TELEPHONE_EVENT_PAYLOAD_TYPE;
  const te48 = TELEPHONE_EVENT_48K_PAYLOAD_TYPE;
  const opus = OPUS_PAYLOAD_TYPE;
  return [
    'v=0',
    `o=parley ${offer.sessionId} ${offer.version} IN ${family} ${offer.address}`,
    's=Parley',
    `c=IN ${family} ${offer.address}`,
    't=0 0',
    `m=audio ${offer.port} RTP/AVP ${opus} 0 8 ${te} ${te48}`,
    `a=rtpmap:${opus} opus/48000/2`,
    `a=fmtp:${opus} useinbandfec=1`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    `a=rtpmap:${te} telephone-event/8000`,
    `a=fmtp:${te} 0-16`,
    `a=rtpmap:${te48} telephone-event/48000`,
    `a=fmtp:${te48} 0-16`,
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** Reads the audio media of an answer (or of a re-INVITE's offer). */
export function parseAnswer(sdp: string): SdpAnswerMedia {
  const lines = sdp.split(/\r?\n/).map((line) => line.trim());
  let sessionAddress: string | null = null;
  let mediaAddress: string | null = null;
  let sessionDirection: SdpAnswerMedia['direction'] = 'sendrecv';
  let direction: SdpAnswerMedia['direction'] | null = null;
  let audio: { port: number; formats: number[] } | null = null;
  const rtpmaps = new Map<number, { name: string; rate: number }>();
  let inAudio = false;
  let sawMedia = false;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      sawMedia = true;
      const parts = line.slice(2).split(/\s+/);
      inAudio = parts[0] === 'audio' && audio === null;
      if (inAudio) audio = { port: Number(parts[1]), formats: parts.slice(3).map(Number) };
      continue;
    }
    if (sawMedia && !inAudio) continue;
    const connection = /^c=IN IP[46] ([^\s/]+)/.exec(line);
    if (connection?.[1]) {
      if (inAudio) mediaAddress = connection[1];
      else sessionAddress = connection[1];
    }
    const rtpmap = /^a=rtpmap:(\d+) ([^/\s]+)\/(\d+)/.exec(line);
    if (rtpmap?.[1] && rtpmap[2] && inAudio) {
      rtpmaps.set(Number(rtpmap[1]), { name: rtpmap[2].toLowerCase(), rate: Number(rtpmap[3]) });
    }
    const dir = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line)?.[1] as
      | SdpAnswerMedia['direction']
      | undefined;
    if (dir) {
      if (inAudio) direction = dir;
      else sessionDirection = dir;
    }
  }
  if (!audio) throw new SdpError('The answer has no audio media');
  if (!(audio.port > 0 && audio.port < 65_536)) throw new SdpError('The answer rejected the audio media');
  const address = mediaAddress ?? sessionAddress;
  if (!address) throw new SdpError('The answer has no connection address');
  let chosen: { codec: SipAudioCodec; payloadType: number; clockRate: number } | null = null;
  for (const pt of audio.formats) {
    const name = rtpmaps.get(pt)?.name;
    const codec = name === undefined ? STATIC_LAWS[pt] : CODEC_NAMES[name];
    if (codec) {
      chosen = { codec, payloadType: pt, clockRate: codec === 'opus' ? 48_000 : 8000 };
      break;
    }
  }
  if (!chosen) throw new SdpError('The answer has no codec Parley offered (Opus, PCMU or PCMA)');
  const clockRate = chosen.clockRate;
  const telephoneEvent =
    audio.formats.find((pt) => {
      const map = rtpmaps.get(pt);
      return map?.name === 'telephone-event' && map.rate === clockRate;
    }) ?? null;
  return { address, port: audio.port, ...chosen, telephoneEvent, direction: direction ?? sessionDirection };
}
