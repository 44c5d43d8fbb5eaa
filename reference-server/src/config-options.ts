/**
 * The options of `parley start`: the resolved {@link ServerConfig} and {@link CONFIG_OPTIONS}, where every
 * option is declared once with its flag, environment variable, documented default and parser. The help
 * and the README's table are generated from this list, so the documentation cannot drift from the parser.
 */

import {
  type ConfigContext,
  ConfigError,
  integer,
  ipAddress,
  ipv4,
  nonEmpty,
  oneOf,
  onOff,
  path,
  pemCertificatesFile,
} from './config-values.js';
import { IceServerListError, parseIceServerList } from './realtime/ice-server-list.js';
import { DATAPATH_CHOICES, type DatapathChoice } from './sfu/native/datapath.js';
import type { IceServer } from './sfu/types.js';
import type { SqliteDurability } from './store/sqlite-store.js';

/** Pino log levels accepted by `--log-level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Store backends accepted by `--store`. */
export const STORE_KINDS = ['sqlite', 'memory'] as const;
/** Where the server keeps its records. */
export type StoreKind = (typeof STORE_KINDS)[number];

/** Durability levels accepted by `--durability`. */
export const DURABILITY_LEVELS = ['normal', 'full'] as const satisfies readonly SqliteDurability[];

/** The resolved configuration of `parley start`. */
export interface ServerConfig {
  /** Interface to listen on. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Absolute path of the data directory (database, `credentials.json`, `account.json`). */
  dataDir: string;
  /** `sqlite` persists in the data directory; `memory` forgets everything on exit. */
  store: StoreKind;
  /**
   * SQLite durability: `normal` keeps every committed write through a process crash (`kill -9`); `full`
   * also through an OS crash or power loss, at one fsync per commit (writes arriving together share one).
   */
  durability: SqliteDurability;
  /** The base URL printed and written to `credentials.json`; null derives it from host and port. */
  publicUrl: string | null;
  logLevel: LogLevel;
  /** Sustained requests per second allowed per project; 0 disables rate limiting. */
  rateLimit: number;
  /** Requests a project may burst above the sustained rate. */
  rateBurst: number;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** How long a graceful shutdown waits for in-flight requests before closing sockets, in ms. */
  shutdownTimeoutMs: number;
  /** Serve the development playground (page and token endpoint) at `/playground`. */
  playground: boolean;
  /** The local IPv4 addresses routed media (ICE) binds to; `['0.0.0.0']` means every interface. */
  mediaListenIps: string[];
  /** The IPv4 address announced to clients instead of the listen address (behind NAT); null for none. */
  mediaAnnouncedAddress: string | null;
  /** The lowest UDP port routed media binds to; null lets the OS choose (set with `mediaPortMax`). */
  mediaPortMin: number | null;
  /** The highest UDP port routed media binds to; null lets the OS choose (set with `mediaPortMin`). */
  mediaPortMax: number | null;
  /** Every peer connection of an SFU worker shares one UDP port (else one port each). */
  mediaSharedPort: boolean;
  /** STUN/TURN servers handed to clients in session info and with every peer connection. */
  turnServers: IceServer[];
  /**
   * SFU worker processes for routed media: 0 runs the SFU inside the server process; N > 0 runs N worker
   * processes and places each session on the least-loaded one.
   */
  sfuWorkers: number;
  /** Routed sessions ask publishers for simulcast and each subscriber gets the layer that fits it. */
  simulcast: boolean;
  /** How the SFU protects and sends forwarded packets (`auto`, `native`, `javascript`). */
  sfuDatapath: DatapathChoice;
  /** Where archives, broadcast segments and recording work files go; null means `<dataDir>/recordings`. */
  recordingsDir: string | null;
  /** The ffmpeg executable the recorder runs (ffprobe is looked up beside it). */
  ffmpegPath: string;
  /** The Chromium that renders Experience Composer pages; null uses `/usr/bin/chromium` when it exists. */
  chromiumPath: string | null;
  /**
   * The IP address SIP calls advertise in their SIP headers and SDP (a NAT's public address); null
   * advertises the server's own address on the route to the callee.
   */
  sipAddress: string | null;
  /** CA certificates (PEM text, read from `--sip-tls-ca`) trusted for `;transport=tls` besides the system's. */
  sipTlsCa: string | null;
}

/** One configurable option. */
export interface ConfigOption<K extends keyof ServerConfig = keyof ServerConfig> {
  key: K;
  /** The flag, without the leading `--`. */
  flag: string;
  env: string;
  /** The default as shown in the documentation. */
  defaultText: string;
  description: string;
  /** Turns the raw text into the value, or throws a {@link ConfigError} naming the option. */
  parse(raw: string, context: ConfigContext): ServerConfig[K];
}

const option = <K extends keyof ServerConfig>(o: ConfigOption<K>): ConfigOption<K> => o;

/** Every option of `parley start`, in the order the help lists them. */
export const CONFIG_OPTIONS: readonly ConfigOption[] = [
  option({
    key: 'host',
    flag: 'host',
    env: 'PARLEY_HOST',
    defaultText: '127.0.0.1',
    description: 'Interface to listen on. Use 0.0.0.0 to accept connections from other machines.',
    parse: nonEmpty('--host'),
  }),
  option({
    key: 'port',
    flag: 'port',
    env: 'PARLEY_PORT',
    defaultText: '4000',
    description: 'TCP port to listen on; 0 picks a free port (the printed URL shows it).',
    parse: integer('--port', 0, 65535),
  }),
  option({
    key: 'dataDir',
    flag: 'data-dir',
    env: 'PARLEY_DATA_DIR',
    defaultText: './.parley-data',
    description:
      'Data directory (database, credentials.json). Relative paths resolve against the directory the command was started from (INIT_CWD under pnpm/npm).',
    parse: path('--data-dir'),
  }),
  option({
    key: 'store',
    flag: 'store',
    env: 'PARLEY_STORE',
    defaultText: 'sqlite',
    description: '`sqlite` keeps everything in <data-dir>/parley.db; `memory` forgets everything on exit.',
    parse: oneOf('--store', STORE_KINDS),
  }),
  option({
    key: 'durability',
    flag: 'durability',
    env: 'PARLEY_DURABILITY',
    defaultText: 'normal',
    description:
      'SQLite durability. `normal`: a committed write survives the server process dying (kill -9, crash); an OS crash or power loss may lose the last writes. `full`: one fsync per commit (writes arriving together share one), survives power loss, far fewer writes per second.',
    parse: oneOf('--durability', DURABILITY_LEVELS),
  }),
  option({
    key: 'publicUrl',
    flag: 'public-url',
    env: 'PARLEY_PUBLIC_URL',
    defaultText: 'http://<host>:<port>',
    description: 'The base URL clients use, printed and written to credentials.json (set it behind a proxy).',
    parse: (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new ConfigError(`--public-url must be an absolute http(s) URL, got "${raw}"`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new ConfigError(`--public-url must be an absolute http(s) URL, got "${raw}"`);
      }
      return url.toString().replace(/\/$/, '');
    },
  }),
  option({
    key: 'logLevel',
    flag: 'log-level',
    env: 'PARLEY_LOG_LEVEL',
    defaultText: 'info',
    description: `Log level: ${LOG_LEVELS.join(', ')}.`,
    parse: oneOf('--log-level', LOG_LEVELS),
  }),
  option({
    key: 'rateLimit',
    flag: 'rate-limit',
    env: 'PARLEY_RATE_LIMIT',
    defaultText: '100',
    description: 'Sustained REST requests per second allowed per project; 0 disables rate limiting.',
    parse: integer('--rate-limit', 0, 1_000_000),
  }),
  option({
    key: 'rateBurst',
    flag: 'rate-burst',
    env: 'PARLEY_RATE_BURST',
    defaultText: '200',
    description: 'REST requests a project may send in a burst above the sustained rate.',
    parse: integer('--rate-burst', 1, 1_000_000),
  }),
  option({
    key: 'bodyLimit',
    flag: 'body-limit',
    env: 'PARLEY_BODY_LIMIT',
    defaultText: '1048576',
    description: 'Largest accepted request body in bytes; larger bodies get 413.',
    parse: integer('--body-limit', 1024, 100 * 1024 * 1024),
  }),
  option({
    key: 'shutdownTimeoutMs',
    flag: 'shutdown-timeout',
    env: 'PARLEY_SHUTDOWN_TIMEOUT',
    defaultText: '10000',
    description: 'Milliseconds a graceful shutdown (SIGTERM, SIGINT) waits for in-flight requests.',
    parse: integer('--shutdown-timeout', 0, 600_000),
  }),
  option({
    key: 'playground',
    flag: 'playground',
    env: 'PARLEY_PLAYGROUND',
    defaultText: 'on',
    description:
      '`on` serves the development playground at /playground: a call page and an endpoint that hands out tokens of the oldest active project (moderator included) to anyone who can reach the server. `off` removes both; turn it off on any server others can reach.',
    parse: onOff('--playground'),
  }),
  option({
    key: 'mediaListenIps',
    flag: 'media-listen-ips',
    env: 'PARLEY_MEDIA_LISTEN_IPS',
    defaultText: '127.0.0.1',
    description:
      'Comma-separated local IPv4 addresses routed media (ICE) uses; media never leaves them. `0.0.0.0` alone uses every interface. No STUN server is contacted.',
    parse: (raw) => {
      const ips = raw.split(',').map((ip) => ipv4('--media-listen-ips', ip));
      if (ips.includes('0.0.0.0') && ips.length > 1) {
        throw new ConfigError('--media-listen-ips must not mix 0.0.0.0 with specific addresses');
      }
      return [...new Set(ips)];
    },
  }),
  option({
    key: 'mediaAnnouncedAddress',
    flag: 'media-announced-address',
    env: 'PARLEY_MEDIA_ANNOUNCED_ADDRESS',
    defaultText: 'none',
    description:
      "IPv4 address announced to clients in the SFU's ICE candidates instead of the listen address (a server behind NAT, e.g. a cloud VM's public IP).",
    parse: (raw) => ipv4('--media-announced-address', raw),
  }),
  option({
    key: 'mediaPortMin',
    flag: 'media-port-min',
    env: 'PARLEY_MEDIA_PORT_MIN',
    defaultText: 'any',
    description: 'Lowest UDP port routed media binds to; set together with --media-port-max.',
    parse: integer('--media-port-min', 1024, 65535),
  }),
  option({
    key: 'mediaPortMax',
    flag: 'media-port-max',
    env: 'PARLEY_MEDIA_PORT_MAX',
    defaultText: 'any',
    description: 'Highest UDP port routed media binds to; above --media-port-min.',
    parse: integer('--media-port-max', 1024, 65535),
  }),
  option({
    key: 'mediaSharedPort',
    flag: 'media-shared-port',
    env: 'PARLEY_MEDIA_SHARED_PORT',
    defaultText: 'on',
    description:
      '`on`: every peer connection of an SFU worker (or of the server, without workers) shares one UDP port, the first free one of --media-port-min..max (else one the OS chooses), demultiplexed by ICE username and remote address; one port per worker to open in a firewall. `off`: a UDP port per peer connection.',
    parse: onOff('--media-shared-port'),
  }),
  option({
    key: 'turnServers',
    flag: 'turn-servers',
    env: 'PARLEY_TURN_SERVERS',
    defaultText: 'none',
    description:
      'STUN/TURN servers handed to clients (session info, publish and subscribe answers): comma-separated `turn:USER:PASS@HOST:PORT[?transport=udp|tcp]`, `turns:USER:PASS@HOST:PORT` or `stun:HOST:PORT` (percent-encode `:`, `@`, `,` in USER and PASS), or a JSON array of RTCIceServer objects (`[{"urls":"turn:host:3478","username":"u","credential":"p"}]`).',
    parse: (raw) => {
      try {
        return parseIceServerList(raw, '--turn-servers');
      } catch (error) {
        if (error instanceof IceServerListError) throw new ConfigError(error.message);
        throw error;
      }
    },
  }),
  option({
    key: 'sfuWorkers',
    flag: 'sfu-workers',
    env: 'PARLEY_SFU_WORKERS',
    defaultText: '0',
    description:
      'SFU worker processes for routed media. `0` runs the SFU inside the server process; N (up to 64) starts N worker processes (one per core is the usual choice) and places each session on the least-loaded one; a crashed worker ends only its sessions and is replaced.',
    parse: integer('--sfu-workers', 0, 64),
  }),
  option({
    key: 'simulcast',
    flag: 'simulcast',
    env: 'PARLEY_SIMULCAST',
    defaultText: 'off',
    description:
      '`on` asks publishers in routed sessions to send simulcast (several resolutions of their video); each subscriber then receives the layer that fits its preferred resolution and frame rate and its bandwidth, switching down under congestion and back when it clears. `off` has publishers send one encoding that every subscriber receives.',
    parse: onOff('--simulcast'),
  }),
  option({
    key: 'sfuDatapath',
    flag: 'sfu-datapath',
    env: 'PARLEY_SFU_DATAPATH',
    defaultText: 'auto',
    description:
      "How the SFU encrypts (SRTP) and sends forwarded packets. `native`: the C addon `pnpm install` builds (`reference-server/native`; needs a C compiler): cipher contexts kept per DTLS session, one `sendmmsg` per socket and event-loop turn, and the shared media port read in `recvmmsg` batches; start-up fails if it is not built. `javascript`: Node's `crypto` and `dgram`. `auto`: native when built, else JavaScript (the start-up log says which). The bytes on the wire are the same.",
    parse: oneOf('--sfu-datapath', DATAPATH_CHOICES),
  }),
  option({
    key: 'recordingsDir',
    flag: 'recordings-dir',
    env: 'PARLEY_RECORDINGS_DIR',
    defaultText: '<data-dir>/recordings',
    description:
      'Where archive files, HLS broadcast segments and recording work files are kept. Relative paths resolve like --data-dir.',
    parse: path('--recordings-dir'),
  }),
  option({
    key: 'ffmpegPath',
    flag: 'ffmpeg',
    env: 'PARLEY_FFMPEG',
    defaultText: 'ffmpeg',
    description:
      'The ffmpeg executable that composes archives and broadcasts (a name looked up on PATH, or a path); ffprobe is expected beside it.',
    parse: nonEmpty('--ffmpeg'),
  }),
  option({
    key: 'chromiumPath',
    flag: 'chromium',
    env: 'PARLEY_CHROMIUM',
    defaultText: '/usr/bin/chromium (when installed)',
    description:
      'The Chromium executable that renders Experience Composer pages (a path; relative paths resolve like --data-dir). Without one, `startRender` answers 500 explaining how to set it.',
    parse: path('--chromium'),
  }),
  option({
    key: 'sipAddress',
    flag: 'sip-address',
    env: 'PARLEY_SIP_ADDRESS',
    defaultText: 'the address on the route to the callee',
    description:
      'IPv4 or IPv6 address SIP calls advertise in their Via, Contact and SDP (where the callee sends signalling and RTP): a server behind NAT sets its public address. RTP then listens on every interface.',
    parse: ipAddress('--sip-address'),
  }),
  option({
    key: 'sipTlsCa',
    flag: 'sip-tls-ca',
    env: 'PARLEY_SIP_TLS_CA',
    defaultText: 'system CAs only',
    description:
      'A PEM file of CA certificates trusted, besides the system ones, for the certificates of SIP servers dialled with `;transport=tls` or `sips:` (a private PBX). Relative paths resolve like --data-dir; the file is read and checked at startup.',
    parse: pemCertificatesFile('--sip-tls-ca'),
  }),
];
