/**
 * One incoming peer connection of a subscription: it answers the offer (from the media server in routed
 * sessions, from the publisher in relayed ones) and counts every RTP packet that arrives, with the SSRCs
 * and payload types it saw, against what the SDP exchange agreed.
 */
import type { RTCIceCandidate, RTCPeerConnection } from 'werift';
import { createPeerConnection, localSdp, type MediaNetwork } from './network.js';
import type { MediaKind } from './recording.js';
import { mediaSections } from './sdp.js';
import { emptyReceivedTrack, type ReceivedTrackStats } from './stats.js';

/** One incoming peer connection. */
export class MediaReceiver {
  readonly pc: RTCPeerConnection;
  readonly tracks: Record<MediaKind, ReceivedTrackStats> = {
    audio: emptyReceivedTrack('audio'),
    video: emptyReceivedTrack('video'),
  };

  constructor(network: MediaNetwork) {
    this.pc = createPeerConnection(network);
    this.pc.onTrack.subscribe((track) => {
      if (track.kind !== 'audio' && track.kind !== 'video') return;
      const record = this.tracks[track.kind];
      track.onReceiveRtp.subscribe((packet) => {
        const now = performance.now();
        record.packets++;
        record.bytes += packet.payload.length;
        record.firstPacketAt ??= now;
        record.lastPacketAt = now;
        if (!record.ssrcs.includes(packet.header.ssrc)) record.ssrcs.push(packet.header.ssrc);
        if (!record.payloadTypes.includes(packet.header.payloadType))
          record.payloadTypes.push(packet.header.payloadType);
      });
    });
  }

  /** Answers an offer; records what was negotiated per kind. Returns the answer's SDP. */
  async answer(offer: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    const answer = localSdp(this.pc);
    const offered = mediaSections(offer);
    for (const section of mediaSections(answer)) {
      if (section.kind !== 'audio' && section.kind !== 'video') continue;
      const first = section.payloadTypes[0] ?? null;
      const fromOffer = offered.find((o) => o.mid === section.mid && o.kind === section.kind);
      this.tracks[section.kind].negotiated = {
        payloadType: first,
        codec: first === null ? null : (section.rtpmap.get(first) ?? null),
        payloadTypes: section.payloadTypes,
        ssrcs: fromOffer?.ssrcs ?? [],
      };
    }
    return answer;
  }

  /** Adds a remote candidate (trickled by the other side). */
  async addCandidate(candidate: Partial<RTCIceCandidate>): Promise<void> {
    await this.pc.addIceCandidate(candidate as RTCIceCandidate);
  }

  get connectionState(): string {
    return this.pc.connectionState;
  }

  /** Closes the peer connection. Idempotent. */
  close(): Promise<void> {
    return this.pc.close();
  }
}
