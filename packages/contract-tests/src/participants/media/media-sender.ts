/**
 * One outgoing peer connection of a published stream: it offers (OpenTok.js publishers always offer —
 * to the media server in routed sessions, to each subscriber in relayed ones), applies the answer, and
 * replays the fixtures into its senders in real time once asked to start.
 */
import { MediaStream, type RTCIceCandidate, type RTCPeerConnection, type RTCRtpSender } from 'werift';
import { createPeerConnection, localSdp, type MediaNetwork } from './network.js';
import { fixtureRecordings, type MediaKind, RecordingPlayer } from './recording.js';

/** How often the replayer hands due packets over (a 15 fps video frame is 67 ms, an Opus frame 20 ms). */
const PUMP_INTERVAL_MS = 10;

/** The direction of the offered m-sections. */
export type OfferDirection = 'sendrecv' | 'sendonly';

interface SendingTrack {
  kind: MediaKind;
  sender: RTCRtpSender;
  player: RecordingPlayer;
}

/** Counters a sender adds to; shared by all the peer connections of one stream. */
export interface SendCounters {
  audio: { packets: number; bytes: number; enabled: boolean };
  video: { packets: number; bytes: number; enabled: boolean };
}

/** One outgoing peer connection. */
export class MediaSender {
  readonly pc: RTCPeerConnection;
  readonly #tracks: SendingTrack[] = [];
  readonly #counters: SendCounters;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;

  /**
   * @param direction - `sendrecv` is what OpenTok.js offers (it adds tracks to a default transceiver);
   *   `sendonly` is what a publisher means.
   */
  constructor(
    network: MediaNetwork,
    kinds: readonly MediaKind[],
    counters: SendCounters,
    direction: OfferDirection,
  ) {
    this.pc = createPeerConnection(network);
    this.#counters = counters;
    const recordings = fixtureRecordings();
    // One MediaStream for both tracks, so the SDP carries `a=msid` as a browser's does.
    const stream = new MediaStream({ id: crypto.randomUUID() });
    for (const kind of kinds) {
      const transceiver = this.pc.addTransceiver(kind, { direction, streams: [stream] });
      this.#tracks.push({ kind, sender: transceiver.sender, player: new RecordingPlayer(recordings[kind]) });
    }
  }

  /** Creates the offer and returns its SDP, candidates included. */
  async createOffer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return localSdp(this.pc);
  }

  /** Applies the answer. */
  async applyAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** Adds a remote candidate (trickled by the other side); an empty one ends its candidates. */
  async addCandidate(candidate: Partial<RTCIceCandidate>): Promise<void> {
    await this.pc.addIceCandidate(candidate as RTCIceCandidate);
  }

  /**
   * Starts replaying. Packets handed over before DTLS is up are dropped by werift, as a camera's frames
   * are before a browser's connection is up; the replay simply keeps going.
   */
  start(): void {
    if (this.#timer) return;
    this.#startedAt = performance.now();
    this.#timer = setInterval(() => this.#pump(), PUMP_INTERVAL_MS);
    this.#timer.unref();
  }

  /** The peer connection's state (`new`, `connecting`, `connected`, `failed`, `closed`…). */
  get connectionState(): string {
    return this.pc.connectionState;
  }

  /** Stops sending and closes the peer connection. Idempotent. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.pc.close();
  }

  #pump(): void {
    // Only count what can leave: before the connection is up werift drops the packets.
    const connected = this.pc.connectionState === 'connected';
    const elapsed = (performance.now() - this.#startedAt) / 1000;
    for (const track of this.#tracks) {
      const counter = this.#counters[track.kind];
      track.player.due(elapsed, (packet) => {
        // A muted track keeps its clock (the player advances) but sends nothing, as a muted browser track.
        if (!counter.enabled || !connected) return;
        counter.packets++;
        counter.bytes += packet.payload.length;
        track.sender.sendRtp(packet).catch(() => undefined);
      });
    }
  }
}
