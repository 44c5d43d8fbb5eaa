/**
 * An engine's shared UDP ports (see `shared-port.ts`), and the transport factory werift's ICE agents are
 * given (`iceUdpTransportFactory`) when the engine option `sharedPort` is on.
 */
import type { IceUdpTransportRequest, Transport } from 'werift';
import { SfuError } from '../errors.js';
import { selectDatapath } from '../native/datapath.js';
import { ANY_IPV4, type ResolvedSfuEngineOptions } from '../options.js';
import { SharedUdpPort } from './shared-port.js';

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
