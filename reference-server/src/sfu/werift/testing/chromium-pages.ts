/**
 * Test-only: what the Chromium tests of the engine share — Debian's Chromium with the flags WebRTC on
 * loopback needs (media-stack-notes §2, §6), and the in-page half of a publisher or subscriber page.
 */

import {
  CHROMIUM_BASE_FLAGS,
  CHROMIUM_FAKE_MEDIA_FLAGS,
  CHROMIUM_LOOPBACK_FLAGS,
  CHROMIUM_PATH,
} from '../../../browser/chromium-flags.js';

/** Debian's Chromium; the tests are skipped where it is not installed. */
export const CHROMIUM = CHROMIUM_PATH;

/** Fake camera and microphone, WebRTC over loopback. */
export const CHROMIUM_ARGS = [
  ...CHROMIUM_BASE_FLAGS,
  ...CHROMIUM_FAKE_MEDIA_FLAGS,
  ...CHROMIUM_LOOPBACK_FLAGS,
];

/** Chromium's statistics for the subscribed stream (inbound-rtp). */
export interface ReceiveStats {
  framesDecoded: number;
  frameWidth: number;
  videoCodec: string;
  audioPackets: number;
  /** Video: NACKs sent, freezes, packets lost after repair, retransmitted packets received. */
  nackCount: number;
  freezeCount: number;
  packetsLost: number;
  retransmittedPacketsReceived: number;
}

/** Chromium's statistics for the published video (outbound-rtp). */
export interface SendStats {
  nackCount: number;
  retransmittedPacketsSent: number;
  packetsSent: number;
  /** The encoder's target (follows the engine's REMB), and why quality is limited, if it is. */
  targetBitrate: number;
  qualityLimitationReason: string;
}

/**
 * The in-page half, as plain JavaScript (the server's TypeScript has no DOM types). Each function leaves
 * its peer connection on `window.pc` and returns an SDP with the candidates inline.
 */
export const PAGE_SCRIPT = `
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 2000);
  });
  window.publish = async (codec) => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    const pc = (window.pc = new RTCPeerConnection());
    for (const track of media.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
      if (track.kind === 'video') {
        // The codec under test, and RTX (as OpenTok.js offers it).
        const codecs = RTCRtpSender.getCapabilities('video').codecs;
        transceiver.setCodecPreferences(
          codecs.filter((c) => c.mimeType === 'video/' + codec || c.mimeType === 'video/rtx'),
        );
      }
    }
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return pc.localDescription.sdp;
  };
  // RID simulcast (sendEncodings, as OpenTok.js publishes with RID simulcast on) from a 1280x720 camera.
  window.publishSimulcast = async () => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: false });
    const pc = (window.pc = new RTCPeerConnection());
    const [track] = media.getVideoTracks();
    const transceiver = pc.addTransceiver(track, {
      direction: 'sendonly',
      streams: [media],
      sendEncodings: [
        { rid: 'q', scaleResolutionDownBy: 4 },
        { rid: 'h', scaleResolutionDownBy: 2 },
        { rid: 'f' },
      ],
    });
    const codecs = RTCRtpSender.getCapabilities('video').codecs;
    transceiver.setCodecPreferences(codecs.filter((c) => c.mimeType === 'video/VP8' || c.mimeType === 'video/rtx'));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await gathered(pc);
    return pc.localDescription.sdp;
  };
  window.subscribe = async (offer) => {
    const pc = (window.pc = new RTCPeerConnection());
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    return pc.localDescription.sdp;
  };
  window.setAnswer = (sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp });
  window.receiveStats = async () => {
    const stats = {
      framesDecoded: 0, frameWidth: 0, videoCodec: '', audioPackets: 0,
      nackCount: 0, freezeCount: 0, packetsLost: 0, retransmittedPacketsReceived: 0,
    };
    const report = await window.pc.getStats();
    report.forEach((entry) => {
      if (entry.type !== 'inbound-rtp') return;
      if (entry.kind === 'video') {
        stats.framesDecoded = entry.framesDecoded ?? 0;
        stats.frameWidth = entry.frameWidth ?? 0;
        stats.videoCodec = report.get(entry.codecId)?.mimeType ?? '';
        stats.nackCount = entry.nackCount ?? 0;
        stats.freezeCount = entry.freezeCount ?? 0;
        stats.packetsLost = entry.packetsLost ?? 0;
        stats.retransmittedPacketsReceived = entry.retransmittedPacketsReceived ?? 0;
      } else {
        stats.audioPackets = entry.packetsReceived ?? 0;
      }
    });
    return stats;
  };
  window.sendStats = async () => {
    const stats = {
      nackCount: 0, retransmittedPacketsSent: 0, packetsSent: 0, targetBitrate: 0, qualityLimitationReason: '',
    };
    (await window.pc.getStats()).forEach((entry) => {
      if (entry.type !== 'outbound-rtp' || entry.kind !== 'video') return;
      stats.nackCount += entry.nackCount ?? 0;
      stats.retransmittedPacketsSent += entry.retransmittedPacketsSent ?? 0;
      stats.packetsSent += entry.packetsSent ?? 0;
      stats.targetBitrate += entry.targetBitrate ?? 0;
      stats.qualityLimitationReason = entry.qualityLimitationReason ?? '';
    });
    return stats;
  };
`;

/** What {@link PAGE_SCRIPT} defines on `window`. */
export interface PageApi {
  publish(codec: string): Promise<string>;
  /** Publishes a 1280x720 camera as three VP8 RID-simulcast layers. */
  publishSimulcast(): Promise<string>;
  subscribe(offer: string): Promise<string>;
  setAnswer(sdp: string): Promise<void>;
  receiveStats(): Promise<ReceiveStats>;
  sendStats(): Promise<SendStats>;
}
