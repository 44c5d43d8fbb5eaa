/**
 * The load tool's WebRTC clients, built on werift and kept lean (the load generator shares the machine
 * with the SFU): a publisher replaying the pre-encoded recordings straight into its RTP senders, and a
 * subscriber that only does sequence-number accounting. Both stay on 127.0.0.1 and never contact STUN.
 */
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpSender,
  type RtpPacket,
  useSdesMid,
} from 'werift';
import { fixtureRecordings, RecordingPlayer } from './media-source.js';
import { SequenceTracker } from './sequence-tracker.js';

/** Which tracks each stream carries. */
export type LoadMedia = 'audio' | 'video' | 'audio+video';

const FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];

function loopbackPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
      video: [
        new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, rtcpFeedback: FEEDBACK }),
      ],
    },
    headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
    // One ICE and DTLS transport per client instead of one per track: half the handshakes.
    bundlePolicy: 'max-bundle',
  });
}

/** The track kinds a stream of `media` carries, in the order the publisher adds them. */
export function kindsOf(media: LoadMedia): ('audio' | 'video')[] {
  return media === 'audio+video' ? ['video', 'audio'] : [media];
}

/** Resolves when the peer connection is connected; rejects when it fails or after `timeoutMs`. */
function connected(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unSubscribe();
      reject(new Error(`not connected after ${timeoutMs} ms`));
    }, timeoutMs);
    const { unSubscribe } = pc.connectionStateChange.subscribe((state) => {
      if (state !== 'connected' && state !== 'failed' && state !== 'closed') return;
      clearTimeout(timer);
      unSubscribe();
      if (state === 'connected') resolve();
      else reject(new Error(`connection ${state}`));
    });
  });
}

interface SendingTrack {
  kind: 'audio' | 'video';
  sender: RTCRtpSender;
  player: RecordingPlayer;
}

/** A publisher replaying the recordings. Call {@link pump} regularly once connected. */
export class LoadPublisher {
  readonly pc = loopbackPeer();
  /** RTP packets handed to the senders. */
  packetsSent = 0;
  /** {@link packetsSent} per track kind: what each of this publisher's subscribers should receive. */
  readonly packetsSentByKind = { audio: 0, video: 0 };
  readonly #tracks: SendingTrack[] = [];
  #startedAt: number | undefined;

  constructor(media: LoadMedia, ssrcBase: number) {
    const recordings = fixtureRecordings();
    // Start each publisher somewhere else in the recording so keyframes do not line up across streams.
    const start = Math.random();
    for (const [index, kind] of kindsOf(media).entries()) {
      const transceiver = this.pc.addTransceiver(kind, { direction: 'sendonly' });
      this.#tracks.push({
        kind,
        sender: transceiver.sender,
        player: new RecordingPlayer(recordings[kind], (ssrcBase + index) >>> 0, start),
      });
    }
  }

  /** Creates the offer (candidates inline: werift gathers before it resolves). */
  async createOffer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.pc.localDescription?.sdp ?? '';
  }

  /** Applies the SFU's answer and resolves once connected. */
  async accept(answer: string, timeoutMs: number): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await connected(this.pc, timeoutMs);
  }

  /** Sends every packet due by `now` (milliseconds, `performance.now()`); the first call starts the clock. */
  pump(now: number): void {
    this.#startedAt ??= now;
    const elapsed = (now - this.#startedAt) / 1000;
    for (const { kind, sender, player } of this.#tracks) {
      const sent = player.due(elapsed, (packet: RtpPacket) => {
        sender.sendRtp(packet).catch(() => undefined);
      });
      this.packetsSent += sent;
      this.packetsSentByKind[kind] += sent;
    }
  }

  close(): Promise<void> {
    return this.pc.close();
  }
}

/** What a subscriber measured on one track. */
export interface SubscriberTrack {
  kind: 'audio' | 'video';
  sequence: SequenceTracker;
  /** `performance.now()` of the first packet. */
  firstPacketAt: number | undefined;
}

/** A subscriber that answers the SFU's offer and accounts for every RTP packet it receives. */
export class LoadSubscriber {
  readonly pc = loopbackPeer();
  readonly tracks: SubscriberTrack[] = [];

  constructor() {
    this.pc.onTrack.subscribe((track) => {
      const record: SubscriberTrack = {
        kind: track.kind === 'audio' ? 'audio' : 'video',
        sequence: new SequenceTracker(),
        firstPacketAt: undefined,
      };
      this.tracks.push(record);
      track.onReceiveRtp.subscribe((packet) => {
        record.firstPacketAt ??= performance.now();
        record.sequence.push(packet.header.sequenceNumber);
      });
    });
  }

  /** Answers the SFU's offer. */
  async answer(offer: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return this.pc.localDescription?.sdp ?? '';
  }

  /** Resolves once connected. */
  connected(timeoutMs: number): Promise<void> {
    return connected(this.pc, timeoutMs);
  }

  /** The earliest first packet over the tracks of `kind` (any kind when omitted). */
  firstPacketAt(kind?: 'audio' | 'video'): number | undefined {
    const times = this.tracks
      .filter((t) => kind === undefined || t.kind === kind)
      .map((t) => t.firstPacketAt)
      .filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  close(): Promise<void> {
    return this.pc.close();
  }
}
