/**
 * The browser media handler: `getUserMedia`/`getDisplayMedia` and `RTCPeerConnection`. It follows the
 * negotiation habits of OpenTok.js that the gateway expects: candidates are trickled as they are found,
 * and the SDP is sent once gathering completes, a relay candidate appears, or the candidate-ready timeout
 * passes, so the SDP itself also carries candidates.
 */
import type { CaptureRequest, MediaHandler, PeerOptions } from './handler.js';
import { MediaPeer } from './handler.js';

/** The handler for real browsers. */
export class BrowserMediaHandler implements MediaHandler {
  async capture(request: CaptureRequest): Promise<MediaStream> {
    const video: MediaTrackConstraints = {};
    if (request.video.width !== undefined) video.width = { ideal: request.video.width };
    if (request.video.height !== undefined) video.height = { ideal: request.video.height };
    if (request.video.frameRate !== undefined) video.frameRate = { ideal: request.video.frameRate };
    if (request.video.deviceId !== undefined) video.deviceId = { exact: request.video.deviceId };
    if (request.videoSource === 'screen') {
      return navigator.mediaDevices.getDisplayMedia({ video, audio: request.audio });
    }
    const audio: boolean | MediaTrackConstraints =
      request.audio && request.audioDeviceId !== undefined
        ? { deviceId: { exact: request.audioDeviceId } }
        : request.audio;
    return navigator.mediaDevices.getUserMedia({
      audio,
      video: request.videoSource === 'camera' ? video : false,
    });
  }

  createPeer(options: PeerOptions): MediaPeer {
    return new BrowserPeer(options);
  }
}

/** Chrome's pre-standard insertable streams need this flag on the peer connection. */
type LegacyConfiguration = RTCConfiguration & { encodedInsertableStreams?: boolean };

class BrowserPeer extends MediaPeer {
  readonly #pc: RTCPeerConnection;
  readonly #options: PeerOptions;
  readonly #pendingCandidates: RTCIceCandidateInit[] = [];
  #closed = false;

  constructor(options: PeerOptions) {
    super();
    this.#options = options;
    const configuration: LegacyConfiguration = {
      iceServers: options.iceServers,
      iceTransportPolicy: options.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    };
    // Without RTCRtpScriptTransform, Chrome's createEncodedStreams() needs the peer created with this flag.
    if (options.cryptor && typeof RTCRtpScriptTransform === 'undefined')
      configuration.encodedInsertableStreams = true;
    this.#pc = new RTCPeerConnection(configuration);
    this.#pc.onicecandidate = (event) => {
      if (event.candidate && event.candidate.candidate !== '')
        this.emit('candidate', event.candidate.toJSON());
    };
    this.#pc.onconnectionstatechange = () => this.emit('connectionState', this.#pc.connectionState);
    this.#pc.ontrack = (event) => {
      if (options.cryptor)
        options.cryptor.attachReceiver(event.receiver, (ok) => this.emit('decryption', ok));
      const stream = event.streams[0] ?? new MediaStream([event.track]);
      this.emit('track', event.track, stream);
    };
  }

  override get connectionState(): RTCPeerConnectionState {
    return this.#pc.connectionState;
  }

  override addTracks(stream: MediaStream): void {
    for (const track of stream.getTracks()) {
      const sender = this.#pc.addTrack(track, stream);
      this.#options.cryptor?.attachSender(sender);
    }
  }

  override async createOffer(options: { iceRestart?: boolean } = {}): Promise<string> {
    if (this.#options.direction === 'recv' && this.#pc.getTransceivers().length === 0) {
      this.#pc.addTransceiver('audio', { direction: 'recvonly' });
      this.#pc.addTransceiver('video', { direction: 'recvonly' });
    }
    const offer = await this.#pc.createOffer({ iceRestart: options.iceRestart ?? false });
    await this.#pc.setLocalDescription(offer);
    await this.#gathered();
    return this.#pc.localDescription?.sdp ?? offer.sdp ?? '';
  }

  override async acceptOffer(sdp: string): Promise<string> {
    await this.#pc.setRemoteDescription({ type: 'offer', sdp });
    await this.#flushCandidates();
    const answer = await this.#pc.createAnswer();
    await this.#pc.setLocalDescription(answer);
    await this.#gathered();
    return this.#pc.localDescription?.sdp ?? answer.sdp ?? '';
  }

  override async acceptAnswer(sdp: string): Promise<void> {
    await this.#pc.setRemoteDescription({ type: 'answer', sdp });
    await this.#flushCandidates();
  }

  override async addRemoteCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.#pc.remoteDescription) {
      this.#pendingCandidates.push(candidate);
      return;
    }
    await this.#pc.addIceCandidate(candidate);
  }

  override async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const sender = this.#pc.getSenders().find((candidate) => candidate.track?.kind === kind);
    await sender?.replaceTrack(track);
  }

  override getStats(): Promise<RTCStatsReport> {
    return this.#pc.getStats();
  }

  override close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pc.close();
    this.removeAllListeners();
  }

  async #flushCandidates(): Promise<void> {
    const candidates = this.#pendingCandidates.splice(0);
    for (const candidate of candidates) await this.#pc.addIceCandidate(candidate);
  }

  /** Resolves when gathering completes, a relay candidate appears, or the candidate-ready timeout passes. */
  #gathered(): Promise<void> {
    if (this.#pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#pc.removeEventListener('icegatheringstatechange', onState);
        this.#pc.removeEventListener('icecandidate', onCandidate);
        resolve();
      };
      const onState = (): void => {
        if (this.#pc.iceGatheringState === 'complete') done();
      };
      const onCandidate = (event: RTCPeerConnectionIceEvent): void => {
        if (event.candidate === null || event.candidate.type === 'relay') done();
      };
      const timer = setTimeout(done, this.#options.candidateReadyTimeoutMs);
      this.#pc.addEventListener('icegatheringstatechange', onState);
      this.#pc.addEventListener('icecandidate', onCandidate);
    });
  }
}
