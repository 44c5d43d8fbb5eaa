/** What the participants measure about the media they send and receive. */
import type { MediaKind } from './recording.js';

/** What a publisher sent on one kind of media, over all its peer connections. */
export interface SentTrackStats {
  /** RTP packets handed to the peer connections' senders. */
  packets: number;
  /** Payload bytes of those packets. */
  bytes: number;
  /** False while the track is muted (a forced mute, or `publishAudio(false)`). */
  enabled: boolean;
}

/** What one published stream sent, and the state of its peer connections. */
export interface PublisherStats {
  audio: SentTrackStats;
  video: SentTrackStats;
  /**
   * One entry per peer connection: routed sessions have one to the media server (`key` `MANTIS` or
   * whatever the target calls it), relayed sessions one per subscriber (`key` is the subscriber ID).
   */
  peers: { key: string; connectionState: string }[];
}

/** What arrived on one kind of media. */
export interface ReceivedTrackStats {
  kind: MediaKind;
  /** RTP packets received. */
  packets: number;
  /** Payload bytes received. */
  bytes: number;
  /** SSRCs seen on received packets. */
  ssrcs: number[];
  /** Payload types seen on received packets. */
  payloadTypes: number[];
  /** `performance.now()` of the first and the last packet; null before any. */
  firstPacketAt: number | null;
  lastPacketAt: number | null;
  /** What the SDP exchange agreed for this m-section. */
  negotiated: {
    /** The codec the answer chose (its first payload type) and its `rtpmap` name, e.g. `VP8/90000`. */
    payloadType: number | null;
    codec: string | null;
    /** Every payload type the answer allows for the section (the codec, RTX…). */
    payloadTypes: number[];
    /** SSRCs the offer declared (`a=ssrc`); empty when it declared none. */
    ssrcs: number[];
  };
}

/** What one subscription received, and the state of its peer connection. */
export interface SubscriberStats {
  audio: ReceivedTrackStats;
  video: ReceivedTrackStats;
  connectionState: string;
}

/** An empty record of received media. */
export function emptyReceivedTrack(kind: MediaKind): ReceivedTrackStats {
  return {
    kind,
    packets: 0,
    bytes: 0,
    ssrcs: [],
    payloadTypes: [],
    firstPacketAt: null,
    lastPacketAt: null,
    negotiated: { payloadType: null, codec: null, payloadTypes: [], ssrcs: [] },
  };
}

/**
 * What is wrong with received media against the negotiation: packets with a payload type the answer did
 * not allow, or an SSRC the offer did not declare. Empty when everything matches.
 */
export function negotiationMismatches(track: ReceivedTrackStats): string[] {
  const problems: string[] = [];
  const { negotiated } = track;
  const badTypes = track.payloadTypes.filter((pt) => !negotiated.payloadTypes.includes(pt));
  if (badTypes.length > 0) {
    problems.push(
      `${track.kind}: payload types ${badTypes.join(', ')} arrived, but the answer allows ${negotiated.payloadTypes.join(', ') || 'none'}`,
    );
  }
  if (negotiated.ssrcs.length > 0) {
    const badSsrcs = track.ssrcs.filter((ssrc) => !negotiated.ssrcs.includes(ssrc));
    if (badSsrcs.length > 0) {
      problems.push(
        `${track.kind}: SSRCs ${badSsrcs.join(', ')} arrived, but the offer declared ${negotiated.ssrcs.join(', ')}`,
      );
    }
  }
  return problems;
}
