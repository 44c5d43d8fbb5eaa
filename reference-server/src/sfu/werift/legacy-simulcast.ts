/**
 * Legacy (SSRC-group) simulcast on the publisher leg. With `generateoffer {simulcastEnabled: true}`
 * OpenTok.js munges its offer: the video section lists one SSRC per layer in `a=ssrc-group:SIM`
 * (lowest resolution first, as libwebrtc orders them) and pairs each with its RTX SSRC in
 * `a=ssrc-group:FID`. The packets then carry no rid, only those SSRCs.
 *
 * werift registers only the first `a=ssrc` of a section (and its RTX only when the section has exactly
 * two), so the other layers' packets would be dropped by its router. After the offer is applied, the
 * engine registers the rest itself: one remote track per SIM SSRC on the section's receiver, each RTX
 * SSRC mapped to its layer so retransmissions are unwrapped. These are TypeScript-private fields of
 * werift (plain properties at run time), read through one typed view below.
 */
import {
  MediaStreamTrack,
  type RTCPeerConnection,
  type RTCRtpReceiver,
  type RTCRtpTransceiver,
} from 'werift';

/** The simulcast SSRCs of one m-section, from its `a=ssrc-group` lines. */
export interface SsrcSimulcastGroup {
  mid: string;
  /** The layers' SSRCs, lowest layer first. */
  layers: number[];
  /** Each layer SSRC's RTX SSRC, when the offer pairs them. */
  rtx: Map<number, number>;
}

/** Reads the `a=ssrc-group:SIM` groups (with their FID pairs) of an SDP, per m-section. */
export function parseSsrcSimulcast(sdp: string): SsrcSimulcastGroup[] {
  const groups: SsrcSimulcastGroup[] = [];
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
    const sim = /^a=ssrc-group:SIM ((?:\d+ ?)+)$/m.exec(section)?.[1];
    if (mid === undefined || sim === undefined) continue;
    const layers = sim.trim().split(/\s+/).map(Number);
    if (
      layers.length < 2 ||
      layers.some((ssrc) => !Number.isInteger(ssrc) || ssrc <= 0 || ssrc > 0xffffffff)
    ) {
      continue;
    }
    const rtx = new Map<number, number>();
    for (const match of section.matchAll(/^a=ssrc-group:FID (\d+) (\d+)\s*$/gm)) {
      rtx.set(Number(match[1]), Number(match[2]));
    }
    groups.push({ mid, layers, rtx });
  }
  return groups;
}

/** The werift internals this module writes (private in TypeScript, plain properties at run time). */
interface RouterView {
  registerRtpReceiver(receiver: RTCRtpReceiver, ssrc: number): void;
}
interface ReceiverView {
  ssrcByRtx: Record<number, number>;
}

/**
 * Registers the SIM layers of `sdp` that werift left out on `pc`. Returns, per transceiver, the new
 * remote tracks (one per layer SSRC not yet known), in SIM order.
 */
export function registerSsrcSimulcast(
  pc: RTCPeerConnection,
  sdp: string,
): Map<RTCRtpTransceiver, MediaStreamTrack[]> {
  const added = new Map<RTCRtpTransceiver, MediaStreamTrack[]>();
  const router = (pc as unknown as { router: RouterView }).router;
  for (const group of parseSsrcSimulcast(sdp)) {
    const transceiver = pc.getTransceivers().find((t) => t.mid === group.mid && t.kind === 'video');
    if (!transceiver) continue;
    const { receiver } = transceiver;
    const view = receiver as unknown as ReceiverView;
    const codec = receiver.track.codec;
    const tracks: MediaStreamTrack[] = [];
    for (const ssrc of group.layers) {
      const rtx = group.rtx.get(ssrc);
      if (rtx !== undefined) {
        view.ssrcByRtx[rtx] = ssrc;
        router.registerRtpReceiver(receiver, rtx);
      }
      if (receiver.trackBySSRC[ssrc]) continue;
      const track = new MediaStreamTrack({
        ssrc,
        kind: 'video',
        id: transceiver.sender.trackId,
        remote: true,
        ...(codec ? { codec } : {}),
      });
      router.registerRtpReceiver(receiver, ssrc);
      transceiver.addTrack(track);
      tracks.push(track);
    }
    if (tracks.length > 0) added.set(transceiver, tracks);
  }
  return added;
}
