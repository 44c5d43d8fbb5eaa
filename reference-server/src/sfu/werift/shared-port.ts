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
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { IceUdpTransportRequest, Transport } from 'werift';
import { SfuError } from '../errors.js';
import { type NativeDatapath, type NativeDestination, selectDatapath } from '../native/datapath.js';
import { type NativeSendQueue, sendQueueOf } from '../native/send-queue.js';
import { ANY_IPV4, type ResolvedSfuEngineOptions } from '../options.js';

/** The shared socket's buffers: it carries every stream of the worker (the kernel may cap this). */
const SHARED_SOCKET_BUFFER_BYTES = 16 * 1024 * 1024;
const STUN_MAGIC_COOKIE = 0x2112a442;
const STUN_HEADER_LENGTH = 20;
const STUN_BINDING_REQUEST = 0x0001;
const STUN_BINDING_SUCCESS = 0x0101;
const STUN_ATTRIBUTE_USERNAME = 0x0006;

/** A werift ICE agent as the demultiplexer sees it: its current and earlier username fragments. */
type IceAgent = IceUdpTransportRequest['connection'];

/** Counters of a shared port (for the load tool and tests). */
export interface SharedPortStats {
  /** Transports (ICE agents' host candidates) registered now. */
  transports: number;
  /** Remote addresses routed now. */
  routes: number;
  /** Datagrams dropped: from an unknown address and not a Binding request for a known agent. */
  unrouted: number;
}

/**
 * The ICE username fragment a STUN Binding request is addressed to (the part of USERNAME before the
 * colon), or undefined when `data` is not a Binding request with a USERNAME.
 */
export function bindingRequestUfrag(data: Buffer): string | undefined {
  if (data.length < STUN_HEADER_LENGTH || data.readUInt16BE(0) !== STUN_BINDING_REQUEST) return undefined;
  if (data.readUInt32BE(4) !== STUN_MAGIC_COOKIE) return undefined;
  const end = Math.min(data.length, STUN_HEADER_LENGTH + data.readUInt16BE(2));
  for (let offset = STUN_HEADER_LENGTH; offset + 4 <= end; ) {
    const type = data.readUInt16BE(offset);
    const length = data.readUInt16BE(offset + 2);
    const start = offset + 4;
    if (start + length > end) return undefined;
    if (type === STUN_ATTRIBUTE_USERNAME) {
      const colon = data.indexOf(0x3a, start);
      const stop = colon === -1 || colon >= start + length ? start + length : colon;
      return data.toString('utf8', start, stop);
    }
    offset = start + length + ((4 - (length % 4)) % 4);
  }
  return undefined;
}

/** One ICE agent's view of the shared socket: werift's `Transport` interface. */
export class SharedPortTransport implements Transport {
  readonly type = 'udp';
  readonly addressFamily = 4 as const;
  /** The shared socket (the engine's egress sends on it directly, as on werift's own sockets). */
  readonly socket: Socket;
  /** The last datagram's sender (werift's `UdpTransport` keeps it too: a send without address goes there). */
  rinfo: RemoteInfo | undefined;
  closed = false;
  onData: (data: Buffer, addr: readonly [string, number]) => void = () => undefined;
  readonly #port: SharedUdpPort;
  readonly #localAddress: string;
  /** The last destination sent to natively, and its address (a transport mostly talks to one peer). */
  #destination: { host: string; port: number; native: NativeDestination } | undefined;
  /** The ICE agent this transport belongs to. */
  readonly agent: IceAgent;

  constructor(port: SharedUdpPort, socket: Socket, localAddress: string, agent: IceAgent) {
    this.#port = port;
    this.socket = socket;
    this.#localAddress = localAddress;
    this.agent = agent;
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
    const [host, port] = addr ?? [this.rinfo?.address, this.rinfo?.port];
    if (host === undefined || port === undefined) return;
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

  /** Hands a datagram to werift (called by the demultiplexer). */
  deliver(data: Buffer, rinfo: RemoteInfo): void {
    this.rinfo = rinfo;
    this.onData(data, [rinfo.address, rinfo.port]);
  }
}

/** A UDP socket shared by every ICE agent of an engine, and its demultiplexer. */
export class SharedUdpPort {
  readonly #socket: Socket;
  /** Remote address → remote port → transport. Two levels: no string built per datagram. */
  readonly #routes = new Map<string, Map<number, SharedPortTransport>>();
  /** Each transport's claimed remote addresses, to unregister them on close. */
  readonly #claims = new Map<SharedPortTransport, [string, number][]>();
  /** Username fragment → transport, filled as Binding requests arrive. */
  readonly #byUfrag = new Map<string, SharedPortTransport>();
  #unrouted = 0;
  #closed = false;
  /** The addon and its send queue, when the engine's datapath is native. */
  readonly native: { datapath: NativeDatapath; queue: NativeSendQueue } | undefined;

  private constructor(socket: Socket, datapath: NativeDatapath | undefined) {
    this.#socket = socket;
    this.native = datapath && { datapath, queue: sendQueueOf(datapath) };
    socket.on('message', (data, rinfo) => this.#receive(data, rinfo));
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
    const ports = portRange ? rangeOf(portRange.min, portRange.max) : [0];
    for (const port of ports) {
      const socket = await bind(address, port);
      if (socket === undefined) continue;
      try {
        socket.setRecvBufferSize(SHARED_SOCKET_BUFFER_BYTES);
        socket.setSendBufferSize(SHARED_SOCKET_BUFFER_BYTES);
      } catch {
        // The kernel refused the size: the default buffers still work, only with less slack.
      }
      return new SharedUdpPort(socket, datapath);
    }
    throw new SfuError(
      'INTERNAL',
      `No free UDP port for the shared media port on ${address} in ${portRange?.min}-${portRange?.max}`,
    );
  }

  /** The bound port. */
  get port(): number {
    return this.#socket.address().port;
  }

  /** Counters for the load tool and tests. */
  get stats(): SharedPortStats {
    let routes = 0;
    for (const ports of this.#routes.values()) routes += ports.size;
    return { transports: this.#claims.size, routes, unrouted: this.#unrouted };
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
    let ports = this.#routes.get(host);
    const owner = ports?.get(port);
    if (owner === transport) return;
    if (owner !== undefined && !isBindingSuccess(data)) return;
    const claims = this.#claims.get(transport);
    if (claims === undefined) return;
    if (ports === undefined) {
      ports = new Map();
      this.#routes.set(host, ports);
    }
    if (owner !== undefined) this.#forget(owner, host, port);
    ports.set(port, transport);
    claims.push([host, port]);
  }

  /** Removes a closed transport's routes and username fragments. */
  unregister(transport: SharedPortTransport): void {
    const claims = this.#claims.get(transport);
    if (claims === undefined) return;
    this.#claims.delete(transport);
    for (const [host, port] of claims) {
      const ports = this.#routes.get(host);
      if (ports?.get(port) !== transport) continue;
      ports.delete(port);
      if (ports.size === 0) this.#routes.delete(host);
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
    this.#byUfrag.clear();
    this.#socket.close();
  }

  #receive(data: Buffer, rinfo: RemoteInfo): void {
    // Binding requests first: they name their agent, even from an address routed elsewhere.
    const byUsername = data.length > 0 && data[0] === 0 ? this.#agentOfRequest(data) : undefined;
    const transport = byUsername ?? this.#routes.get(rinfo.address)?.get(rinfo.port);
    if (transport === undefined) {
      this.#unrouted++;
      return;
    }
    transport.deliver(data, rinfo);
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

  #forget(transport: SharedPortTransport, host: string, port: number): void {
    const claims = this.#claims.get(transport);
    if (claims === undefined) return;
    const index = claims.findIndex(([h, p]) => h === host && p === port);
    if (index !== -1) claims.splice(index, 1);
  }
}

/**
 * The shared ports of an engine, one per listen address (one wildcard port when the engine listens on
 * every interface), opened on first use. Plug {@link SharedPorts.transportFactory} into werift's
 * `iceUdpTransportFactory`.
 */
export class SharedPorts {
  readonly #options: ResolvedSfuEngineOptions;
  readonly #ports = new Map<string, Promise<SharedUdpPort>>();
  #closed = false;

  constructor(options: ResolvedSfuEngineOptions) {
    this.#options = options;
  }

  /** werift's transport factory: the agent's host candidate on `address` gets a transport of a shared port. */
  readonly transportFactory = async ({ address, connection }: IceUdpTransportRequest): Promise<Transport> => {
    const port = await this.portFor(address);
    if (this.#closed) throw new SfuError('INVALID_STATE', 'The shared media ports are closed');
    return port.createTransport(address, connection);
  };

  /** The shared port serving the local `address`. */
  portFor(address: string): Promise<SharedUdpPort> {
    if (this.#closed)
      return Promise.reject(new SfuError('INVALID_STATE', 'The shared media ports are closed'));
    const bindAddress = this.#options.listenIps.includes(ANY_IPV4) ? ANY_IPV4 : address;
    let port = this.#ports.get(bindAddress);
    if (port === undefined) {
      port = SharedUdpPort.open(bindAddress, this.#options.portRange, selectDatapath(this.#options.datapath));
      this.#ports.set(bindAddress, port);
      // A failed bind is retried by the next agent rather than remembered.
      port.catch(() => this.#ports.delete(bindAddress));
    }
    return port;
  }

  /** The ports opened so far. */
  async ports(): Promise<SharedUdpPort[]> {
    const settled = await Promise.allSettled(this.#ports.values());
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  /** Closes every port. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const port of this.#ports.values()) {
      port.then(
        (open) => open.close(),
        () => undefined,
      );
    }
    this.#ports.clear();
  }
}

function isBindingSuccess(data: Buffer): boolean {
  return data.length >= STUN_HEADER_LENGTH && data.readUInt16BE(0) === STUN_BINDING_SUCCESS;
}

function rangeOf(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, index) => min + index);
}

/** Binds a UDP socket; undefined when the port is taken. */
async function bind(address: string, port: number): Promise<Socket | undefined> {
  let bound = false;
  const socket = createSocket({
    type: 'udp4',
    // Sends name IP literals: once bound, answer at once instead of a `dns.lookup` per datagram.
    lookup: (hostname, options, callback) => {
      if (bound && isIP(hostname) === 4) {
        callback(null, hostname, 4);
        return;
      }
      dnsLookup(hostname, options, callback);
    },
  });
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      socket.close();
      if (error.code === 'EADDRINUSE' && port !== 0) resolve(undefined);
      else
        reject(
          new SfuError('INTERNAL', `Cannot bind the shared media port ${address}:${port}: ${error.message}`),
        );
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      bound = true;
      resolve(socket);
    });
  });
}
