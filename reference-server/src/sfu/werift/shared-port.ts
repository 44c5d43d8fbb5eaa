/**
 * One UDP port for every peer connection of an engine (a worker), as mediasoup's `WebRtcServer` and
 * Janus's single-port mode do. werift gives every ICE agent a socket of its own; then each socket sees a
 * few packets at a time and the worker is woken, reads and sends once per datagram. On one socket, the
 * datagrams of all publishers that arrive together are read in one wake-up (libuv reads up to 32 per
 * wake-up of a UDP handle), and the egress queue's per-turn flush leaves in one `sendmmsg` for every
 * subscriber. It also means one port per worker to open in a firewall.
 *
 * werift's ICE agent asks {@link SharedUdpPort.createTransport} for its transport (the werift patch's
 * `iceUdpTransportFactory`); each agent gets a {@link SharedPortTransport} that sends through the shared
 * socket and receives what the demultiplexer hands it:
 * - a STUN Binding request goes to the agent whose username fragment is the local half of its USERNAME
 *   (`local:remote`, RFC 8445 §7.2.2), whatever address it came from — this is how a new remote address
 *   (a new connection, or an ICE restart from another network) is first heard;
 * - anything else goes by its remote address, which an agent claims by sending to it: its connectivity
 *   checks and its answers to checks. werift answers only a check whose MESSAGE-INTEGRITY verifies, so
 *   an address is only taken over from another agent by a success response (the remote proved it knows
 *   this agent's password); a plain send claims only an address nobody has.
 * Datagrams from unknown addresses that are not Binding requests are dropped and counted.
 *
 * RTP and RTCP (first byte 128–191, RFC 7983) from a routed address skip werift's per-datagram chain
 * once the agent's DTLS transport has started SRTP: werift's STUN protocol parses every datagram as STUN
 * first, then two events (the ICE connection's, which counts the pair's statistics, and its data event,
 * whose subscribers are the DTLS transport's SRTP handler and a DTLS-only filter) pass it on. The werift
 * patch publishes that SRTP handler on the agent (`mediaReceiver`); the port counts the pair's
 * statistics as werift does and calls the handler directly. DTLS, STUN and everything before SRTP start
 * still take werift's path.
 *
 * With the native datapath the addon reads the socket (`recvmmsg`, up to 64 datagrams a call) and calls
 * {@link SharedUdpPort} once per batch; Node's own reading of the socket is stopped. Otherwise datagrams
 * come one by one through Node's `message` events. Sends go through Node's socket, or the addon's send
 * queue with the native datapath.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { IceUdpTransportRequest, Transport } from 'werift';
import { SfuError } from '../errors.js';
import type { NativeDatapath, NativeDestination, NativeUdpReceiver } from '../native/datapath.js';
import { type NativeSendQueue, sendQueueOf } from '../native/send-queue.js';
import { bindSharedSocket, nativeReceiverFor } from './shared-port-socket.js';
import {
  addressKey,
  addressOf,
  bindingRequestUfrag,
  isBindingSuccess,
  numericAddressKey,
} from './shared-port-wire.js';

/** A werift ICE agent as the demultiplexer sees it: its current and earlier username fragments. */
type IceAgent = IceUdpTransportRequest['connection'];

/** What the media lane reads of a werift ICE agent (plain properties at run time; see the module comment). */
interface MediaAgent {
  /** The DTLS transport's SRTP/SRTCP handler, set by the werift patch while SRTP runs. */
  mediaReceiver?: (data: Buffer) => void;
  /** The selected candidate pair, whose receive counters werift keeps. */
  nominated?: { protocol: { transport: unknown }; packetsReceived: number; bytesReceived: number };
}

/** Counters of a shared port (for the load tool and tests). */
export interface SharedPortStats {
  /** Transports (ICE agents' host candidates) registered now. */
  transports: number;
  /** Remote addresses routed now. */
  routes: number;
  /** Datagrams dropped: from an unknown address and not a Binding request for a known agent. */
  unrouted: number;
  /** RTP and RTCP datagrams handed to a DTLS transport's SRTP handler directly, past werift's ICE events. */
  media: number;
  /** With the native datapath: the addon's reads of the socket (`recvmmsg` batches) and their datagrams. */
  receivedBatches?: number;
  receivedDatagrams?: number;
}

/** One ICE agent's view of the shared socket: werift's `Transport` interface. */
export class SharedPortTransport implements Transport {
  readonly type = 'udp';
  readonly addressFamily = 4 as const;
  /** The shared socket (the engine's egress sends on it directly, as on werift's own sockets). */
  readonly socket: Socket;
  closed = false;
  onData: (data: Buffer, addr: readonly [string, number]) => void = () => undefined;
  readonly #port: SharedUdpPort;
  readonly #localAddress: string;
  /** The last destination sent to natively, and its address (a transport mostly talks to one peer). */
  #destination: { host: string; port: number; native: NativeDestination } | undefined;
  /** The ICE agent this transport belongs to. */
  readonly agent: IceAgent;
  readonly #media: MediaAgent;

  constructor(port: SharedUdpPort, socket: Socket, localAddress: string, agent: IceAgent) {
    this.#port = port;
    this.socket = socket;
    this.#localAddress = localAddress;
    this.agent = agent;
    this.#media = agent as MediaAgent;
  }

  /**
   * Hands an RTP or RTCP datagram to the agent's SRTP handler, counting it on the selected pair as
   * werift's ICE connection does. Returns false (nothing done) before SRTP has started.
   */
  receiveMedia(data: Buffer): boolean {
    const receiver = this.#media.mediaReceiver;
    if (receiver === undefined) return false;
    const pair = this.#media.nominated;
    if (pair !== undefined && pair.protocol.transport === this) {
      pair.packetsReceived++;
      pair.bytesReceived += data.length;
    }
    receiver(data);
    return true;
  }

  /** The host candidate's address: the agent's local address with the shared port. */
  get address(): AddressInfo {
    return { address: this.#localAddress, family: 'IPv4', port: this.socket.address().port };
  }

  /** Whether a Binding request for `ufrag` is meant for this transport's agent. */
  answersTo(ufrag: string): boolean {
    return this.agent.localUsername === ufrag || Object.hasOwn(this.agent.userHistory, ufrag);
  }

  send = async (data: Buffer, addr?: readonly [string, number]): Promise<void> => {
    if (this.closed) return;
    // werift's ICE always names the address (its UdpTransport would fall back to the last sender).
    if (addr === undefined) return;
    const [host, port] = addr;
    this.#port.claim(this, host, port, data);
    // SRTCP, DTLS and STUN leave in the turn's sendmmsg with the RTP when the addon is in use.
    const native = this.#port.native;
    if (native !== undefined && isIP(host) === 4) {
      const sender = native.queue.senderFor(this.socket);
      if (sender !== null) {
        let destination = this.#destination;
        if (destination === undefined || destination.host !== host || destination.port !== port) {
          destination = { host, port, native: native.datapath.createDestination(host, port) };
          this.#destination = destination;
        }
        if (native.datapath.queueDatagram(data, sender, destination.native) > 0) {
          native.queue.queued();
          return;
        }
      }
    }
    this.socket.send(data, port, host);
  };

  /** Unregisters from the shared port; the socket stays open for the other agents. */
  close = async (): Promise<void> => {
    if (this.closed) return;
    this.closed = true;
    this.#port.unregister(this);
  };
}

/** A UDP socket shared by every ICE agent of an engine, and its demultiplexer. */
export class SharedUdpPort {
  readonly #socket: Socket;
  /** Remote IPv4 address and port ({@link addressKey}) → the transport it is routed to. */
  readonly #routes = new Map<number, Route>();
  /**
   * The route last set for each remote port, in front of {@link #routes}: keys are above V8's small-integer
   * range (address × 65536 + port), so a Map lookup hashes a heap number per datagram; most remote ports
   * belong to one address, and an array indexed by port answers those with a compare.
   */
  readonly #byPort: (Route | undefined)[] = new Array(65_536);
  /** Each transport's claimed remote addresses (keys), to unregister them on close. */
  readonly #claims = new Map<SharedPortTransport, number[]>();
  /** The addon's reader of the socket, when the datapath is native (else Node's `message` events). */
  readonly #receiver: NativeUdpReceiver | undefined;
  /** Username fragment → transport, filled as Binding requests arrive. */
  readonly #byUfrag = new Map<string, SharedPortTransport>();
  #unrouted = 0;
  #media = 0;
  #closed = false;
  /** The addon and its send queue, when the engine's datapath is native. */
  readonly native: { datapath: NativeDatapath; queue: NativeSendQueue } | undefined;

  private constructor(socket: Socket, datapath: NativeDatapath | undefined) {
    this.#socket = socket;
    this.native = datapath && { datapath, queue: sendQueueOf(datapath) };
    this.#receiver = datapath && nativeReceiverFor(datapath, socket, this.#receiveBatch);
    if (this.#receiver === undefined) socket.on('message', (data, rinfo) => this.#receive(data, rinfo));
    socket.on('error', () => {
      // A send to an unreachable address reports here on some systems; ICE notices the loss itself.
    });
  }

  /**
   * Binds a shared port on `address` (the wildcard or one listen address): the first free port of
   * `portRange`, else one the OS chooses. Throws an `SfuError` when every port of the range is taken.
   * With `datapath`, sends go through the addon's send queue.
   */
  static async open(
    address: string,
    portRange?: { min: number; max: number },
    datapath?: NativeDatapath,
  ): Promise<SharedUdpPort> {
    return new SharedUdpPort(await bindSharedSocket(address, portRange), datapath);
  }

  /** The bound port. */
  get port(): number {
    return this.#socket.address().port;
  }

  /** Counters for the load tool and tests. */
  get stats(): SharedPortStats {
    const batches = this.#receiver && this.native?.datapath.receiverStats(this.#receiver);
    return {
      transports: this.#claims.size,
      routes: this.#routes.size,
      unrouted: this.#unrouted,
      media: this.#media,
      ...(batches && { receivedBatches: batches.batches, receivedDatagrams: batches.datagrams }),
    };
  }

  /** A transport for one ICE agent's host candidate on `localAddress`. */
  createTransport(localAddress: string, agent: IceAgent): SharedPortTransport {
    if (this.#closed) throw new SfuError('INVALID_STATE', 'The shared media port is closed');
    // Fragments are 64-bit random (the werift patch), so this only guards against a broken generator:
    // two agents with one fragment would take each other's connectivity checks.
    for (const other of this.#claims.keys()) {
      if (other.answersTo(agent.localUsername)) {
        throw new SfuError(
          'INTERNAL',
          `ICE username fragment ${agent.localUsername} is already in use on this port`,
        );
      }
    }
    const transport = new SharedPortTransport(this, this.#socket, localAddress, agent);
    this.#claims.set(transport, []);
    return transport;
  }

  /**
   * Routes `host:port` to `transport` as it sends `data` there: a success response to a Binding request
   * takes the address over (see the module comment), any other send only claims a free address.
   */
  claim(transport: SharedPortTransport, host: string, port: number, data: Buffer): void {
    const key = addressKey(host, port);
    if (key === undefined) return;
    const owner = this.#routes.get(key)?.transport;
    if (owner === transport) return;
    if (owner !== undefined && !isBindingSuccess(data)) return;
    const claims = this.#claims.get(transport);
    if (claims === undefined) return;
    if (owner !== undefined) this.#forget(owner, key);
    const route: Route = { key, transport, from: [host, port] };
    this.#routes.set(key, route);
    this.#byPort[port] = route;
    claims.push(key);
  }

  /** Removes a closed transport's routes and username fragments. */
  unregister(transport: SharedPortTransport): void {
    const claims = this.#claims.get(transport);
    if (claims === undefined) return;
    this.#claims.delete(transport);
    for (const key of claims) {
      const route = this.#routes.get(key);
      if (route?.transport !== transport) continue;
      this.#routes.delete(key);
      if (this.#byPort[key % 65_536] === route) this.#byPort[key % 65_536] = undefined;
    }
    for (const [ufrag, owner] of this.#byUfrag) if (owner === transport) this.#byUfrag.delete(ufrag);
  }

  /** Closes the socket (the engine is closing: every agent is gone or going). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of [...this.#claims.keys()]) transport.closed = true;
    this.#claims.clear();
    this.#routes.clear();
    this.#byPort.fill(undefined);
    this.#byUfrag.clear();
    if (this.#receiver) this.native?.datapath.closeUdpReceiver(this.#receiver);
    this.#socket.close();
  }

  /** A datagram from Node's socket (the JavaScript datapath). */
  #receive(data: Buffer, rinfo: RemoteInfo): void {
    const key = addressKey(rinfo.address, rinfo.port);
    if (key !== undefined) this.#route(data, key);
  }

  /** A batch from the addon's reader (the native datapath): one call for every datagram of a wake-up. */
  readonly #receiveBatch = (data: Buffer, table: Uint32Array, count: number): void => {
    for (let i = 0; i < count; i++) {
      const offset = table[i * 4] as number;
      const datagram = data.subarray(offset, offset + (table[i * 4 + 1] as number));
      try {
        this.#route(datagram, numericAddressKey(table[i * 4 + 2] as number, table[i * 4 + 3] as number));
      } catch {
        // One datagram werift could not take must not cost the rest of the batch (werift logs its own).
      }
    }
  };

  #route(data: Buffer, key: number): void {
    // Binding requests first: they name their agent, even from an address routed elsewhere.
    const byUsername = data.length > 0 && data[0] === 0 ? this.#agentOfRequest(data) : undefined;
    if (byUsername !== undefined) {
      byUsername.onData(data, this.#routeOf(key)?.from ?? addressOf(key));
      return;
    }
    const route = this.#routeOf(key);
    if (route === undefined) {
      this.#unrouted++;
      return;
    }
    // RTP and RTCP (RFC 7983: first byte 128–191) go straight to SRTP once it runs; see the module comment.
    const first = data[0] as number;
    if (first >= 128 && first <= 191 && route.transport.receiveMedia(data)) {
      this.#media++;
      return;
    }
    route.transport.onData(data, route.from);
  }

  #routeOf(key: number): Route | undefined {
    const cached = this.#byPort[key % 65_536];
    return cached !== undefined && cached.key === key ? cached : this.#routes.get(key);
  }

  #agentOfRequest(data: Buffer): SharedPortTransport | undefined {
    const ufrag = bindingRequestUfrag(data);
    if (ufrag === undefined) return undefined;
    const known = this.#byUfrag.get(ufrag);
    if (known?.answersTo(ufrag)) return known;
    for (const transport of this.#claims.keys()) {
      if (!transport.answersTo(ufrag)) continue;
      this.#byUfrag.set(ufrag, transport);
      return transport;
    }
    return undefined;
  }

  #forget(transport: SharedPortTransport, key: number): void {
    const claims = this.#claims.get(transport);
    const index = claims?.indexOf(key) ?? -1;
    if (index !== -1) claims?.splice(index, 1);
  }
}

/** A routed remote address: its transport, and the address as werift is handed it (made once). */
interface Route {
  /** The remote address as {@link addressKey} numbers it. */
  readonly key: number;
  readonly transport: SharedPortTransport;
  readonly from: readonly [string, number];
}
