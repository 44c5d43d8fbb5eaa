/**
 * The SFU's native datapath: a small C addon (`reference-server/native/datapath.c`, built on
 * `pnpm install`) that does the two things the JavaScript forwarding path cannot make cheap — SRTP with
 * cipher contexts kept for the whole DTLS session (Node's crypto builds a cipher per packet: ≈ 11 µs of
 * AES-GCM here, vs < 1 µs with a kept context), UDP sends batched per event-loop turn (`sendmmsg`), and
 * the shared media port read in batches (`recvmmsg`, one call into JavaScript per batch instead of
 * Node's one per datagram). Everything else (ICE, DTLS, RTCP, NACK/RTX, routing, simulcast) stays in
 * JavaScript.
 *
 * Chosen by the engine option `datapath` (`--sfu-datapath`): `auto` uses the addon when it is built and
 * loads, `native` requires it (start-up fails with the reason), `javascript` never uses it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SfuError } from '../errors.js';

/** An SRTP context of the addon (session key, salt and kept cipher contexts of one direction). */
export type NativeSrtpContext = { readonly __brand: 'NativeSrtpContext' };
/** A duplicate of a UDP socket's descriptor the addon sends on. */
export type NativeUdpSender = { readonly __brand: 'NativeUdpSender' };
/** A reader of a UDP socket's datagrams in batches (`recvmmsg`). */
export type NativeUdpReceiver = { readonly __brand: 'NativeUdpReceiver' };
/**
 * One batch of received datagrams: `data` holds them back to back; `table` has four entries per datagram
 * (offset in `data`, length, IPv4 address as a 32-bit number, port); `count` datagrams.
 */
export type NativeBatchHandler = (data: Buffer, table: Uint32Array, count: number) => void;
/** A parsed destination address. */
export type NativeDestination = { readonly __brand: 'NativeDestination' };

/** Counters of the addon's send queue. */
export interface NativeSendStats {
  sentPackets: number;
  droppedPackets: number;
  /** `sendmmsg` calls: `sentPackets / sendCalls` is the average batch. */
  sendCalls: number;
  queued: number;
  /** Incoming packets the addon decrypted and authenticated. */
  unprotectedPackets: number;
}

/** The addon's functions (see `native/datapath.c` for the contracts). */
export interface NativeDatapath {
  /** `profile`: 1 = AES_CM_128_HMAC_SHA1_80, 7 = AEAD_AES_128_GCM; `authKey` for profile 1 only. */
  createSrtpContext(profile: number, key: Buffer, salt: Buffer, authKey: Buffer | null): NativeSrtpContext;
  /** Writes header ‖ E(payload ‖ padding) ‖ tag into `out`; returns the bytes written. */
  protectRtp(
    context: NativeSrtpContext,
    header: Buffer,
    payload: Buffer,
    paddingSize: number,
    roc: number,
    out: Buffer,
  ): number;
  /** Decrypts in place; returns the plaintext length (tag removed) or -1 if it does not authenticate. */
  unprotectRtp(context: NativeSrtpContext, packet: Buffer, headerLength: number, roc: number): number;
  /** SRTCP: the compound packet with all but its first 8 bytes encrypted, tag and E|index added. */
  protectRtcp(context: NativeSrtpContext, packet: Buffer, index: number, out: Buffer): number;
  /** SRTCP: decrypts in place; returns the plain packet's length or -1 if it does not authenticate. */
  unprotectRtcp(context: NativeSrtpContext, packet: Buffer): number;
  createUdpSender(fd: number): NativeUdpSender;
  closeUdpSender(sender: NativeUdpSender): void;
  createDestination(ip: string, port: number): NativeDestination;
  /** Protects into the send queue; returns the protected size, or 0 if it cannot be queued. */
  queueRtp(
    context: NativeSrtpContext,
    header: Buffer,
    payload: Buffer,
    paddingSize: number,
    roc: number,
    sender: NativeUdpSender,
    destination: NativeDestination,
  ): number;
  /**
   * Queues an already protected (or never protected) datagram — SRTCP, DTLS, STUN — to leave with the
   * turn's RTP; returns its size, or 0 when it cannot be queued (send it another way).
   */
  queueDatagram(data: Buffer, sender: NativeUdpSender, destination: NativeDestination): number;
  /**
   * Reads the UDP socket `fd` (a duplicate of it) whenever it is readable, up to 64 datagrams per
   * `recvmmsg` and 256 per wake-up, and calls `onBatch` once per batch. The caller stops Node's own
   * reading of the socket. IPv4 only; datagrams over 4 KiB are dropped.
   */
  createUdpReceiver(fd: number, onBatch: NativeBatchHandler): NativeUdpReceiver;
  /** Stops a receiver and closes its descriptor (idempotent). */
  closeUdpReceiver(receiver: NativeUdpReceiver): void;
  /** Batches and datagrams a receiver delivered. */
  receiverStats(receiver: NativeUdpReceiver): { batches: number; datagrams: number };
  /** Sends everything queued; returns the packets the kernel took. */
  flushRtp(): number;
  stats(): NativeSendStats;
}

/** How the engine picks its datapath. */
export type DatapathChoice = 'auto' | 'native' | 'javascript';

/** The values of {@link DatapathChoice}. */
export const DATAPATH_CHOICES: readonly DatapathChoice[] = ['auto', 'native', 'javascript'];

/** Where `native/build.mjs` writes the addon. */
export const NATIVE_DATAPATH_PATH = fileURLToPath(
  new URL('../../../native/build/parley-datapath.node', import.meta.url),
);

/** The addon, or why it cannot be used. */
export type LoadResult =
  | { datapath: NativeDatapath; reason?: undefined }
  | { datapath?: undefined; reason: string };

let loaded: LoadResult | undefined;

/** Loads the addon once per process; the reason says why not when it cannot be used. */
export function loadNativeDatapath(): LoadResult {
  loaded ??= loadNativeDatapathFrom(NATIVE_DATAPATH_PATH);
  return loaded;
}

/** Loads an addon file (uncached): {@link loadNativeDatapath} with the path as a parameter. */
export function loadNativeDatapathFrom(path: string, platform: string = process.platform): LoadResult {
  if (platform !== 'linux') return { reason: `the native datapath needs Linux (this is ${platform})` };
  if (!existsSync(path)) {
    return {
      reason: `${path} is not built (run \`pnpm --filter @parley/reference-server build:native\`; it needs a C compiler)`,
    };
  }
  try {
    const required = createRequire(import.meta.url)(path) as Partial<NativeDatapath>;
    if (typeof required.queueRtp !== 'function' || typeof required.unprotectRtcp !== 'function') {
      return { reason: `${path} is not this version's datapath (rebuild it with build:native)` };
    }
    return { datapath: required as NativeDatapath };
  } catch (error) {
    return { reason: `${path} does not load: ${(error as Error).message}` };
  }
}

/**
 * The datapath for a choice: the addon, or undefined for the JavaScript path. `native` without a
 * usable addon throws an `SfuError` (`INVALID_ARGUMENT`) with the reason.
 */
export function selectDatapath(choice: DatapathChoice): NativeDatapath | undefined {
  if (choice === 'javascript') return undefined;
  return choice === 'native' ? requireNativeDatapath() : loadNativeDatapath().datapath;
}

/** The addon; throws an `SfuError` (`INVALID_ARGUMENT`) saying why when it cannot be used. */
export function requireNativeDatapath(): NativeDatapath {
  const { datapath, reason } = loadNativeDatapath();
  if (datapath === undefined) throw new SfuError('INVALID_ARGUMENT', `datapath is native but ${reason}`);
  return datapath;
}
