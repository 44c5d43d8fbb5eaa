/**
 * RTX for RID-simulcast layers on the publisher leg. Chrome sends each rid layer's retransmissions on an
 * RTX SSRC announced nowhere in the SDP, tagged with the `repaired-rtp-stream-id` header extension. werift
 * routes rid packets by their `rtp-stream-id` and ignores `repaired-rtp-stream-id`, so those packets
 * matched no receiver and were dropped ("RTX is not supported with simulcast"), and a lost packet could
 * only be repaired with a keyframe.
 *
 * The engine wraps the peer connection's RTP router: a packet of an SSRC it does not know that carries a
 * repaired rid is an RTX stream of that rid's layer, once the layer's own SSRC is known. The RTX SSRC is
 * then registered with the layer's receiver (and mapped to the layer's SSRC for unwrapping), so this and
 * every later retransmission is unwrapped into the layer like any RTX. Known SSRCs pay one table lookup.
 * The router's fields are TypeScript-private in werift (plain properties at run time).
 */
import {
  type RTCPeerConnection,
  type RTCRtpReceiver,
  RTP_EXTENSION_URI,
  type RtpPacket,
  rtpHeaderExtensionsParser,
} from 'werift';

/** The werift router internals this module reads and wraps. */
interface RouterView {
  ssrcTable: Record<number, unknown>;
  ridTable: Record<string, unknown>;
  extIdUriMap: Record<number, string>;
  routeRtp: (packet: RtpPacket) => void;
  registerRtpReceiver(receiver: RTCRtpReceiver, ssrc: number): void;
}

interface ReceiverView {
  ssrcByRtx: Record<number, number>;
}

/**
 * Installs RID-RTX routing on `pc`. `layerSsrc(rid)` gives the publisher's SSRC of a rid layer once its
 * first packet arrived (undefined before: the retransmission cannot be placed yet and is dropped, as
 * before). Idempotent per peer connection.
 */
export function routeRidRetransmissions(
  pc: RTCPeerConnection,
  layerSsrc: (receiver: RTCRtpReceiver, rid: string) => number | undefined,
): void {
  const router = (pc as unknown as { router: RouterView }).router;
  const marked = router as RouterView & { '@ridRtx'?: true };
  if (marked['@ridRtx']) return;
  marked['@ridRtx'] = true;
  const route = router.routeRtp;
  router.routeRtp = (packet: RtpPacket): void => {
    const { ssrc } = packet.header;
    if (router.ssrcTable[ssrc] === undefined && packet.header.extensions.length > 0) {
      const extensions = rtpHeaderExtensionsParser(packet.header.extensions, router.extIdUriMap);
      const repaired = extensions[RTP_EXTENSION_URI.repairedRtpStreamId];
      if (typeof repaired === 'string' && extensions[RTP_EXTENSION_URI.sdesRTPStreamID] === undefined) {
        const receiver = router.ridTable[repaired] as RTCRtpReceiver | undefined;
        const mediaSsrc = receiver && layerSsrc(receiver, repaired);
        if (receiver && mediaSsrc !== undefined) {
          (receiver as unknown as ReceiverView).ssrcByRtx[ssrc] = mediaSsrc;
          router.registerRtpReceiver(receiver, ssrc);
        }
      }
    }
    route(packet);
  };
}
