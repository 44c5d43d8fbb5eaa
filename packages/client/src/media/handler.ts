/**
 * The media layer behind an interface (as mediasoup-client's handlers): capturing media and one
 * `MediaPeer` per peer connection. The browser handler wraps `getUserMedia`/`getDisplayMedia` and
 * `RTCPeerConnection`; unit tests use `FakeMediaHandler`. Publishers and subscribers only speak to this
 * interface, so everything above it is tested without a browser.
 */
import { TypedEmitter } from '@parley/events';

/** What to capture for a publisher. */
export interface CaptureRequest {
  /** `screen` captures the screen (`getDisplayMedia`); `camera` the camera. `null`: no video. */
  videoSource: 'camera' | 'screen' | null;
  /** Whether to capture a microphone (for `screen`, the tab or system audio when the browser offers it). */
  audio: boolean;
  /** Camera or screen constraints: resolution and frame rate. */
  video: { width?: number; height?: number; frameRate?: number; deviceId?: string };
  /** Microphone device. */
  audioDeviceId?: string;
}

/** Encrypts outgoing and decrypts incoming encoded frames (end-to-end encryption). */
export interface FrameCryptor {
  /** Installs encryption on a sender. */
  attachSender(sender: RTCRtpSender): void;
  /** Installs decryption on a receiver; `onState` reports whether frames decrypt. */
  attachReceiver(receiver: RTCRtpReceiver, onState: (ok: boolean) => void): void;
}

/** How to build a peer connection. */
export interface PeerOptions {
  iceServers: RTCIceServer[];
  /** Use TURN relays only. */
  relayOnly: boolean;
  /** `send` for a publisher's leg, `recv` for a subscriber's. */
  direction: 'send' | 'recv';
  /** Set for end-to-end encrypted sessions. */
  cryptor: FrameCryptor | null;
  /** Send the SDP at the latest after this long while ICE is still gathering (OpenTok.js: 2000 ms). */
  candidateReadyTimeoutMs: number;
}

/** Events of a {@link MediaPeer}. */
export type MediaPeerEvents = {
  /** A local ICE candidate to trickle to the other side. */
  candidate: [candidate: RTCIceCandidateInit];
  /** A remote track arrived (receiving peers). */
  track: [track: MediaStreamTrack, stream: MediaStream];
  /** The connection state changed. */
  connectionState: [state: RTCPeerConnectionState];
  /** End-to-end encryption: incoming frames stopped (`false`) or resumed (`true`) decrypting. */
  decryption: [ok: boolean];
};

/** One peer connection, with the negotiation steps the protocol needs. */
export abstract class MediaPeer extends TypedEmitter<MediaPeerEvents> {
  /** Adds the tracks to send (sending peers, before the first offer). */
  abstract addTracks(stream: MediaStream): void;
  /** Creates and applies an offer; resolves with its SDP once gathering completes or times out. */
  abstract createOffer(options?: { iceRestart?: boolean }): Promise<string>;
  /** Applies a remote offer and resolves with the answer's SDP. */
  abstract acceptOffer(sdp: string): Promise<string>;
  /** Applies a remote answer. */
  abstract acceptAnswer(sdp: string): Promise<void>;
  /** Adds a remote candidate; candidates that arrive before the remote description are held back. */
  abstract addRemoteCandidate(candidate: RTCIceCandidateInit): Promise<void>;
  /** Swaps the track of one kind being sent. */
  abstract replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void>;
  /** The WebRTC statistics of this peer connection. */
  abstract getStats(): Promise<RTCStatsReport>;
  /** The current connection state. */
  abstract get connectionState(): RTCPeerConnectionState;
  /** Closes the peer connection. Idempotent. */
  abstract close(): void;
}

/** Captures media and creates peers. */
export interface MediaHandler {
  /** Captures media; rejects with the browser's `DOMException` (`NotAllowedError`, …) on refusal. */
  capture(request: CaptureRequest): Promise<MediaStream>;
  /** Creates a peer connection. */
  createPeer(options: PeerOptions): MediaPeer;
}
