/**
 * How a participant's peer connections reach the target: the ICE servers the target hands out, and
 * whether to stay on loopback. Against a target on 127.0.0.1 the participant gathers only a loopback
 * candidate (werift leaves loopback out by default) and never asks a STUN server; against anything else
 * it gathers on every interface and uses the target's ICE servers, as a browser would.
 */
import {
  type PeerConfig,
  type RTCIceServer,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useSdesMid,
} from 'werift';

/** Where media goes. */
export interface MediaNetwork {
  /** Gather only a 127.0.0.1 candidate. */
  loopbackOnly: boolean;
  /** STUN/TURN servers, from session info or the STATUS of a stream or subscriber create. */
  iceServers: RTCIceServer[];
}

/** The network for a target: loopback-only when its host is a loopback address or `localhost`. */
export function networkFor(baseUrl: string, iceServers: unknown): MediaNetwork {
  const host = new URL(baseUrl).hostname;
  const loopbackOnly = host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  return { loopbackOnly, iceServers: loopbackOnly ? [] : toIceServers(iceServers) };
}

/**
 * Converts the protocol's ICE server list (`[{url|urls, username, credential}]`, `urls` a string or an
 * array) to werift's, which takes one URL per entry. Anything malformed is left out.
 */
export function toIceServers(value: unknown): RTCIceServer[] {
  if (!Array.isArray(value)) return [];
  const out: RTCIceServer[] = [];
  for (const entry of value) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { url, urls, username, credential } = entry as Record<string, unknown>;
    const list = [urls, url].flat().filter((u): u is string => typeof u === 'string');
    for (const one of list) {
      out.push({
        urls: one,
        ...(typeof username === 'string' ? { username } : {}),
        ...(typeof credential === 'string' ? { credential } : {}),
      });
    }
  }
  return out;
}

const VIDEO_FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];

/**
 * A peer connection for one publisher or subscriber leg: Opus and VP8 (what the fixtures are), the MID
 * header extension (bundled m-sections need it) and nothing a browser would not also offer.
 */
export function createPeerConnection(network: MediaNetwork): RTCPeerConnection {
  const config: Partial<PeerConfig> = {
    iceServers: network.iceServers,
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/opus',
          clockRate: 48_000,
          channels: 2,
          parameters: 'minptime=10;useinbandfec=1',
        }),
      ],
      video: [
        new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, rtcpFeedback: VIDEO_FEEDBACK }),
      ],
    },
    headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
    bundlePolicy: 'max-bundle',
  };
  if (network.loopbackOnly) {
    config.iceUseIpv4 = false;
    config.iceUseIpv6 = false;
    config.iceAdditionalHostAddresses = ['127.0.0.1'];
    config.iceInterfaceAddresses = { udp4: '127.0.0.1' };
  }
  return new RTCPeerConnection(config);
}

/** The SDP of a peer connection's local description (werift gathers before it resolves, so it has the candidates). */
export function localSdp(pc: RTCPeerConnection): string {
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error('the peer connection has no local description');
  return sdp;
}
