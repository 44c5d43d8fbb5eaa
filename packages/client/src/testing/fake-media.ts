/**
 * A fake media layer for unit tests (as mediasoup-client's `FakeHandler`): capture returns fake tracks,
 * peers produce fake SDP and candidates and "connect" at once. Runs in Node without WebRTC.
 */
import type { CaptureRequest, MediaHandler, PeerOptions } from '../media/handler.js';
import { MediaPeer } from '../media/handler.js';

/** A fake `MediaStreamTrack` with the parts the SDK uses. */
export class FakeTrack {
  readonly id = crypto.randomUUID();
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  readonly #listeners = new Set<() => void>();

  constructor(readonly kind: 'audio' | 'video') {}

  getSettings(): MediaTrackSettings {
    return this.kind === 'video' ? { width: 640, height: 480, frameRate: 30 } : {};
  }

  addEventListener(type: string, listener: () => void): void {
    if (type === 'ended') this.#listeners.add(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    if (type === 'ended') this.#listeners.delete(listener);
  }

  stop(): void {
    this.readyState = 'ended';
  }

  /** Simulates the track ending by itself (the user stopped a screen share). */
  end(): void {
    this.readyState = 'ended';
    for (const listener of [...this.#listeners]) listener();
  }
}

/** A fake `MediaStream`. */
export class FakeStream {
  readonly id = crypto.randomUUID();
  constructor(readonly tracks: FakeTrack[]) {}
  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }
  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((track) => track.kind === 'audio');
  }
  getVideoTracks(): FakeTrack[] {
    return this.tracks.filter((track) => track.kind === 'video');
  }
}

/** Views a fake stream as a `MediaStream` (the SDK only uses the parts the fake has). */
export function asMediaStream(stream: FakeStream): MediaStream {
  return stream as unknown as MediaStream;
}

/** A fake peer connection. */
export class FakePeer extends MediaPeer {
  readonly sent: FakeStream[] = [];
  readonly remoteCandidates: RTCIceCandidateInit[] = [];
  readonly offers: string[] = [];
  answersApplied: string[] = [];
  closed = false;
  #state: RTCPeerConnectionState = 'new';

  constructor(readonly options: PeerOptions) {
    super();
  }

  override get connectionState(): RTCPeerConnectionState {
    return this.#state;
  }

  override addTracks(stream: MediaStream): void {
    this.sent.push(stream as unknown as FakeStream);
  }

  override async createOffer(options: { iceRestart?: boolean } = {}): Promise<string> {
    this.emit('candidate', {
      candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    const sdp = `fake-offer${options.iceRestart ? '-restart' : ''}`;
    this.offers.push(sdp);
    return sdp;
  }

  override async acceptOffer(sdp: string): Promise<string> {
    this.offers.push(sdp);
    this.emit('candidate', {
      candidate: 'candidate:2 1 udp 1 192.0.2.2 5001 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    const stream = new FakeStream([new FakeTrack('audio'), new FakeTrack('video')]);
    for (const track of stream.tracks)
      this.emit('track', track as unknown as MediaStreamTrack, asMediaStream(stream));
    queueMicrotask(() => this.setState('connected'));
    return 'fake-answer';
  }

  override async acceptAnswer(sdp: string): Promise<void> {
    this.answersApplied.push(sdp);
    queueMicrotask(() => this.setState('connected'));
  }

  override async addRemoteCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    this.remoteCandidates.push(candidate);
  }

  override async replaceTrack(): Promise<void> {}

  override async getStats(): Promise<RTCStatsReport> {
    return new Map([['fake', { id: 'fake', type: 'transport', timestamp: 0 }]]) as unknown as RTCStatsReport;
  }

  override close(): void {
    this.closed = true;
    this.#state = 'closed';
  }

  /** Changes the connection state and reports it. */
  setState(state: RTCPeerConnectionState): void {
    if (this.closed) return;
    this.#state = state;
    this.emit('connectionState', state);
  }
}

/** The fake handler; records every capture and peer. */
export class FakeMediaHandler implements MediaHandler {
  readonly captures: CaptureRequest[] = [];
  readonly peers: FakePeer[] = [];
  /** When set, the next capture rejects with it. */
  captureFailure: Error | null = null;

  async capture(request: CaptureRequest): Promise<MediaStream> {
    this.captures.push(request);
    if (this.captureFailure) {
      const failure = this.captureFailure;
      this.captureFailure = null;
      throw failure;
    }
    const tracks: FakeTrack[] = [];
    if (request.audio) tracks.push(new FakeTrack('audio'));
    if (request.videoSource !== null) tracks.push(new FakeTrack('video'));
    return asMediaStream(new FakeStream(tracks));
  }

  createPeer(options: PeerOptions): MediaPeer {
    const peer = new FakePeer(options);
    this.peers.push(peer);
    return peer;
  }
}
