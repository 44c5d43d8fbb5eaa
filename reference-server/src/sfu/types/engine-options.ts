/**
 * The options of an SFU engine and their defaults. Part of the engine interface described in `../types.ts`.
 */
import type { IceServer, PortRange } from './common.js';

/** Options of an engine. Every field is optional; see {@link sfuEngineOptionDefaults}. */
export interface SfuEngineOptions {
  /**
   * The local IPv4 addresses ICE may use (host candidates are gathered on, and restricted to, these).
   * Default `['127.0.0.1']`: media never leaves the machine unless configured. No STUN server is ever
   * contacted by the engine.
   */
  listenIps?: string[];
  /**
   * The address announced to clients instead of the listen address (the public IP of a server behind NAT,
   * e.g. a cloud VM). Host candidates keep their port and take this address. Default: none.
   */
  announcedAddress?: string;
  /** The UDP ports ICE binds to. Default: any free port chosen by the OS. */
  portRange?: PortRange;
  /**
   * STUN/TURN servers handed to clients in the session info. The engine itself never contacts them.
   * Default `[]`.
   */
  iceServers?: IceServer[];
  /**
   * The most, in bits per second, the engine tells a publisher it may send (REMB). Default 2 000 000.
   * Per video track the engine announces less when its subscribers need it (their REMB, receiver-report
   * loss and NACKs), never under 100 kbps (or this value, if lower); with no subscriber, this value.
   */
  publisherMaxBitrate?: number;
  /**
   * Whether publishers are asked to send simulcast (several encodings of their video, from which each
   * subscriber gets the one that fits its preferred resolution and its bandwidth). The engine accepts
   * simulcast offers either way; this is what the gateway advertises. Default false (see the self-hosting
   * guide: with simulcast, a subscriber without a preferred resolution saw its first frame later).
   */
  simulcast?: boolean;
  /**
   * How forwarded packets are protected and sent: `native` through the C addon built on install
   * (`reference-server/native/`: SRTP with kept cipher contexts, `sendmmsg` batches; start-up fails when it
   * is not built), `javascript` through Node's `crypto` and `dgram`, `auto` (default) native when the
   * addon is built and loads, else JavaScript. Both produce the same bytes on the wire.
   */
  datapath?: 'auto' | 'native' | 'javascript';
  /**
   * Whether every peer connection of an engine (of a worker, in the multi-worker engine) shares one UDP
   * port, demultiplexed by ICE username and remote address, instead of a port each. Fewer wake-ups and
   * system calls per packet (datagrams of many streams read and sent together), and one port per worker
   * to open in a firewall: the first free port of `portRange`, else one the OS chooses. Default true.
   */
  sharedPort?: boolean;
}

/** The defaults of {@link SfuEngineOptions}. */
export const sfuEngineOptionDefaults = {
  listenIps: ['127.0.0.1'],
  iceServers: [],
  publisherMaxBitrate: 2_000_000,
  simulcast: false,
  datapath: 'auto',
  sharedPort: true,
} as const satisfies SfuEngineOptions;
