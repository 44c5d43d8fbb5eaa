/**
 * The publisher leg's media taken from the DTLS transport straight to its track, past werift's RTP
 * router for SSRCs werift has already routed once.
 *
 * Per packet werift's router parses every header extension into a fresh object (to look for a RID),
 * looks the receiver up, and its receiver looks the codec up, compares codec names lower-cased twice,
 * sorts the codec list to learn whether NACK is on, clones the packet for the track, and calls its async
 * RTCP loop. For a known SSRC, none of that can change between packets until the next negotiation, so
 * this does the part that matters — receiver statistics (its receiver reports), the NACK generator, the
 * track's subscribers, starting the RTCP loop — from what werift resolved for the first packet.
 *
 * What stays on werift's path: the first packets of every SSRC (werift learns it; then this does),
 * RTX (its own SSRC: werift unwraps it), RED, unknown payload types, receivers with transport-cc (not
 * negotiated on the publisher leg) and anything after the transport renegotiated until werift routed it
 * again ({@link FastRtpRouting.reset}).
 */
import type { RTCPeerConnection, RtpPacket } from 'werift';

/** werift's receiver as this reads it (plain properties at run time; names as in werift's source). */
interface ReceiverState {
  stopped: boolean;
  rtcpRunning: boolean;
  codecs: Record<number, { name: string }>;
  trackBySSRC: Record<number, TrackState | undefined>;
  remoteStreams: Record<number, { add(packet: RtpPacket): void } | undefined>;
  nack: { addPacket(packet: RtpPacket): void };
  readonly nackEnabled: unknown;
  readonly twccEnabled: unknown;
  runRtcp(): Promise<void>;
}

interface TrackState {
  kind: string;
  stopped: boolean;
  onReceiveRtp: { execute(packet: RtpPacket, extensions: object): void };
}

interface RouterState {
  ssrcTable: Record<number, unknown>;
  routeRtp: (packet: RtpPacket) => void;
}

/** What one SSRC's packets need, resolved once from werift's own tables. */
interface Route {
  readonly receiver: ReceiverState;
  readonly track: TrackState;
  readonly statistics: { add(packet: RtpPacket): void };
  readonly nack: boolean;
  /** The payload types werift would hand to the track as they are (not RTX, not RED). */
  readonly payloadTypes: ReadonlySet<number>;
}

/** The header extensions handed to the track: our producer reads none, so none are parsed. */
const NO_EXTENSIONS = Object.freeze({});

/** How many werift-routed packets of an SSRC pass before trying again to learn a route for it. */
const RELEARN_EVERY = 64;

/** Packets this process routed on the fast path, and past it (read by tests and profiles). */
export const fastRoutingCounters = { fast: 0, werift: 0 };

/** See the file comment. */
export class FastRtpRouting {
  readonly #router: RouterState;
  readonly #original: (packet: RtpPacket) => void;
  readonly #routes = new Map<number, Route>();
  /** SSRCs werift routed without a route to learn, with the packets since the last attempt. */
  readonly #unlearned = new Map<number, number>();
  constructor(pc: RTCPeerConnection) {
    // werift's peer connection calls `this.router.routeRtp(rtp)` for every decrypted packet.
    this.#router = (pc as unknown as { router: RouterState }).router;
    this.#original = this.#router.routeRtp;
    this.#router.routeRtp = (packet) => this.#route(packet);
  }

  /** Forgets every route: the transport renegotiated (codecs, SSRCs or tracks may have changed). */
  reset(): void {
    this.#routes.clear();
    this.#unlearned.clear();
  }

  #route(packet: RtpPacket): void {
    const { ssrc, payloadType } = packet.header;
    const route = this.#routes.get(ssrc);
    if (route !== undefined) {
      const { receiver, track } = route;
      if (!receiver.stopped && !track.stopped && route.payloadTypes.has(payloadType)) {
        fastRoutingCounters.fast++;
        route.statistics.add(packet);
        if (route.nack) receiver.nack.addPacket(packet);
        track.onReceiveRtp.execute(packet, NO_EXTENSIONS);
        if (!receiver.rtcpRunning) void receiver.runRtcp();
        return;
      }
    }
    fastRoutingCounters.werift++;
    this.#original(packet);
    if (route === undefined) this.#learn(ssrc);
  }

  #learn(ssrc: number): void {
    const seen = (this.#unlearned.get(ssrc) ?? RELEARN_EVERY) + 1;
    if (seen < RELEARN_EVERY) {
      this.#unlearned.set(ssrc, seen);
      return;
    }
    const route = resolveRoute(this.#router, ssrc);
    if (route === undefined) {
      this.#unlearned.set(ssrc, 0);
      return;
    }
    this.#unlearned.delete(ssrc);
    this.#routes.set(ssrc, route);
  }
}

/** The route of `ssrc` from werift's tables, once werift has registered all of it. */
function resolveRoute(router: RouterState, ssrc: number): Route | undefined {
  const receiver = router.ssrcTable[ssrc] as Partial<ReceiverState> | undefined;
  if (receiver?.trackBySSRC === undefined || receiver.remoteStreams === undefined) return undefined;
  const state = receiver as ReceiverState;
  const track = state.trackBySSRC[ssrc];
  const statistics = state.remoteStreams[ssrc];
  if (track === undefined || statistics === undefined || state.twccEnabled) return undefined;
  const payloadTypes = new Set<number>();
  for (const [payloadType, codec] of Object.entries(state.codecs)) {
    const name = codec.name.toLowerCase();
    if (name !== 'rtx' && name !== 'red') payloadTypes.add(Number(payloadType));
  }
  return {
    receiver: state,
    track,
    statistics,
    nack: track.kind === 'video' && Boolean(state.nackEnabled),
    payloadTypes,
  };
}
