/**
 * One werift peer connection as the engine uses it: ICE restricted to the configured addresses, no STUN
 * or mDNS lookups (mDNS remote candidates are dropped), remote candidates buffered until the remote SDP
 * is set, local SDPs and candidates filtered through the {@link CandidatePolicy}. Publisher and subscriber transports each own one.
 */
import { RTCPeerConnection, type RTCRtpCodecParameters } from 'werift';
import { SfuError } from '../errors.js';
import { selectDatapath } from '../native/datapath.js';
import { type DtlsTransportWithSrtp, useNativeDecryption } from '../native/ingress.js';
import { type DtlsTransportWithSrtcp, useNativeRtcp } from '../native/rtcp.js';
import { ANY_IPV4, type ResolvedSfuEngineOptions } from '../options.js';
import type { IceCandidate, TransportConnectionState } from '../types.js';
import { CandidatePolicy, isMdnsCandidate, parseCandidate, withoutMdnsCandidates } from './candidates.js';
import { headerExtensions } from './codecs.js';
import { FastRtpRouting } from './fast-receive.js';
import { enlargeSocketBuffers } from './socket-buffers.js';

/** What the owner of a leg hears from it. */
export interface PeerLegHandlers {
  /** A local candidate that passed the policy. */
  localCandidate(candidate: IceCandidate): void;
  /** The peer connection state changed. */
  stateChange(state: TransportConnectionState): void;
}

/** Creates the werift configuration that keeps ICE on the configured addresses. */
function peerConfig(
  options: ResolvedSfuEngineOptions,
  codecs: { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] },
  leg: 'publisher' | 'subscriber',
): ConstructorParameters<typeof RTCPeerConnection>[0] {
  const any = options.listenIps.includes(ANY_IPV4);
  const [onlyIp] = options.listenIps;
  return {
    codecs,
    headerExtensions: headerExtensions(leg),
    // The engine never contacts STUN/TURN: werift's default is a public STUN server.
    iceServers: [],
    // With specific listen addresses werift gathers on exactly those: interface discovery is off, and
    // the addresses come in as "additional" hosts (the only way to include loopback, which werift skips).
    iceUseIpv4: any,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: any ? undefined : [...options.listenIps],
    // One address: bind the sockets to it rather than to every interface.
    iceInterfaceAddresses: !any && options.listenIps.length === 1 && onlyIp ? { udp4: onlyIp } : undefined,
    icePortRange: options.portRange ? [options.portRange.min, options.portRange.max] : undefined,
    bundlePolicy: 'max-bundle',
    // A port shared by the engine's peer connections (`sharedPort`), else werift's socket per agent.
    iceUdpTransportFactory: options.iceTransportFactory,
  };
}

/** A werift peer connection with the engine's ICE and negotiation rules. */
export class PeerLeg {
  /** The werift peer connection (engine-internal). */
  readonly pc: RTCPeerConnection;
  readonly #policy: CandidatePolicy;
  readonly #handlers: PeerLegHandlers;
  #pendingCandidates: (IceCandidate | null)[] = [];
  #state: TransportConnectionState = 'new';
  #closed = false;
  /** The publisher leg's fast RTP routing (see `fast-receive.ts`); none on a subscriber leg. */
  readonly fastRouting: FastRtpRouting | undefined;
  /** The tail of the negotiation queue. */
  #negotiation: Promise<unknown> = Promise.resolve();

  constructor(
    options: ResolvedSfuEngineOptions,
    codecs: { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] },
    handlers: PeerLegHandlers,
    leg: 'publisher' | 'subscriber' = 'subscriber',
  ) {
    this.#policy = new CandidatePolicy(options.listenIps, options.announcedAddress);
    this.#handlers = handlers;
    this.pc = new RTCPeerConnection(peerConfig(options, codecs, leg));
    // Only publishers send this leg media; a subscriber leg receives RTCP alone.
    this.fastRouting = leg === 'publisher' ? new FastRtpRouting(this.pc) : undefined;
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate || this.#closed) return;
      const rewritten = this.#policy.rewrite(candidate.candidate);
      if (rewritten === null) return;
      this.#handlers.localCandidate({
        candidate: rewritten,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      });
    });
    const datapath = selectDatapath(options.datapath);
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && datapath !== undefined) {
        // SRTP in and SRTCP both ways through the addon from now on (werift created the sessions when DTLS
        // connected).
        for (const dtls of this.pc.dtlsTransports) {
          useNativeDecryption(datapath, dtls as unknown as DtlsTransportWithSrtp);
          useNativeRtcp(datapath, dtls as unknown as DtlsTransportWithSrtcp);
        }
      }
      if (this.#closed || state === this.#state) return;
      this.#state = state;
      this.#handlers.stateChange(state);
    });
  }

  /** The current connection state. */
  get state(): TransportConnectionState {
    return this.#state;
  }

  /**
   * Runs one negotiation step after the previous one settled: a second offer from the client must not
   * interleave with the answer to the first.
   */
  exclusive<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#negotiation.then(step, step);
    this.#negotiation = result.catch(() => undefined);
    return result;
  }

  /** The werift signaling state (engine-internal). */
  get signalingState(): string {
    return this.pc.signalingState;
  }

  /** Sets the remote description, then applies the candidates that arrived before it. */
  async setRemote(type: 'offer' | 'answer', sdp: string): Promise<void> {
    this.#assertOpen();
    checkSdp(sdp);
    // Codecs, SSRCs or tracks may change: werift routes again until the fast path relearns them.
    this.fastRouting?.reset();
    try {
      await this.pc.setRemoteDescription({ type, sdp: withoutMdnsCandidates(sdp) });
    } catch (error) {
      throw new SfuError('INVALID_SDP', `The ${type} was rejected: ${messageOf(error)}`, { cause: error });
    }
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const candidate of pending) await this.#apply(candidate);
    if (type === 'answer') this.#resumeRestartedIce();
  }

  /** Creates and applies the local answer; returns its SDP with filtered candidates inline. */
  async answer(): Promise<string> {
    this.#assertOpen();
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    // The sockets exist once the local description has gathered its candidates.
    enlargeSocketBuffers(this.pc);
    this.#resumeRestartedIce();
    return this.#localSdp();
  }

  /**
   * werift skips ICE entirely when DTLS is already connected, so after an ICE restart (new credentials)
   * no pair is ever nominated again and nothing can be sent. Run the connectivity checks ourselves.
   */
  #resumeRestartedIce(): void {
    for (const ice of this.pc.iceTransports) {
      const { connection } = ice;
      const restarted = connection.nominated === undefined && connection.generation > 0;
      if (!restarted || ice.state === 'closed' || !connection.remoteUsername) continue;
      ice.start().catch(() => {
        // A failed restart surfaces as a connection state change.
      });
    }
  }

  /** Creates and applies a local offer; returns its SDP with filtered candidates inline. */
  async offer(iceRestart: boolean): Promise<string> {
    this.#assertOpen();
    const offer = await this.pc.createOffer({ iceRestart });
    await this.pc.setLocalDescription(offer);
    enlargeSocketBuffers(this.pc);
    return this.#localSdp();
  }

  /** Adds a trickled remote candidate, buffering it while there is no remote description. */
  async addRemoteCandidate(candidate: IceCandidate | null): Promise<void> {
    this.#assertOpen();
    if (candidate !== null) checkCandidate(candidate);
    if (!this.pc.remoteDescription) {
      this.#pendingCandidates.push(candidate);
      return;
    }
    await this.#apply(candidate);
  }

  /** Closes the peer connection (its sockets and timers). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pendingCandidates = [];
    this.#state = 'closed';
    this.pc.close().catch(() => {
      // Closing is best effort: the sockets are gone either way and nobody awaits this.
    });
  }

  async #apply(candidate: IceCandidate | null): Promise<void> {
    if (this.#closed) return;
    if (candidate !== null && isMdnsCandidate(candidate.candidate)) return;
    const init =
      candidate === null || candidate.candidate === ''
        ? {
            candidate: '',
            sdpMid: candidate?.sdpMid ?? undefined,
            sdpMLineIndex: candidate?.sdpMLineIndex ?? 0,
          }
        : {
            candidate: candidate.candidate,
            sdpMid: candidate.sdpMid ?? undefined,
            // Bundled: a candidate without a position belongs to the first m-section.
            sdpMLineIndex: candidate.sdpMLineIndex ?? (candidate.sdpMid == null ? 0 : undefined),
            usernameFragment: candidate.usernameFragment ?? undefined,
          };
    try {
      await this.pc.addIceCandidate(init);
    } catch (error) {
      throw new SfuError('INVALID_CANDIDATE', `The candidate was rejected: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  #localSdp(): string {
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new SfuError('INTERNAL', 'werift produced no local description');
    return this.#policy.rewriteSdp(sdp);
  }

  #assertOpen(): void {
    if (this.#closed) throw new SfuError('INVALID_STATE', 'The transport is closed');
  }
}

function checkSdp(sdp: string): void {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) {
    throw new SfuError('INVALID_SDP', 'sdp must be a session description starting with "v=0"');
  }
  if (!/\r?\nm=(audio|video) /.test(sdp)) {
    throw new SfuError('INVALID_SDP', 'sdp has no audio or video m-section');
  }
}

function checkCandidate(candidate: IceCandidate): void {
  if (typeof candidate !== 'object' || typeof candidate.candidate !== 'string') {
    throw new SfuError('INVALID_CANDIDATE', 'candidate.candidate must be a string');
  }
  if (candidate.candidate !== '' && !parseCandidate(candidate.candidate)) {
    throw new SfuError(
      'INVALID_CANDIDATE',
      `candidate.candidate is not an ICE candidate: ${candidate.candidate}`,
    );
  }
  const { sdpMLineIndex } = candidate;
  if (sdpMLineIndex != null && (!Number.isInteger(sdpMLineIndex) || sdpMLineIndex < 0)) {
    throw new SfuError('INVALID_CANDIDATE', 'candidate.sdpMLineIndex must be a non-negative integer');
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
