/**
 * The forwarding path's way out: one consumer's RTP packets written straight into SRTP and onto the
 * nominated ICE pair's UDP socket, without werift's `RTCRtpSender.sendRtp`.
 *
 * werift's sender is built for media it produces itself: per forwarded packet it clones the packet,
 * rebuilds the header-extension list (`map`, `filter`, `find`, `sort`), serialises the header from an
 * object, concatenates, and passes the result through four nested async functions (sender, DTLS
 * transport, ICE connection, STUN protocol, UDP transport) before `dgram` sees it. This writes the
 * 12-byte header (plus the MID extension, the only one the subscriber leg negotiates) into a buffer
 * owned by the consumer, in place, and hands it to werift's SRTP context through a small header view
 * (the ciphers read `ssrc`, `sequenceNumber` and the serialised bytes only). The sender keeps doing what
 * it is good at — negotiation, RTCP (sender reports from the counters updated here), PLI/NACK feedback —
 * and RTX retransmissions still go through its transport (`SenderInternals.send`).
 *
 * werift's own sequence-number/timestamp offsets stay 0: nothing calls its `sendRtp` for this SSRC.
 */
import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { RTCRtpSender, RtpHeader, RtpPacket } from 'werift';
import type { NativeDatapath, NativeDestination } from '../native/datapath.js';
import { type NativeSendQueue, sendQueueOf } from '../native/send-queue.js';
import { nativeSrtpFor, type WeriftSrtpSession } from '../native/srtp-contexts.js';
import { NtpSendClock } from './ntp-clock.js';
import { SrtpRollover } from './srtp-rollover.js';

/** RFC 8285 one-byte header extensions' profile marker. */
const ONE_BYTE_PROFILE = 0xbede;

/** The private state of werift's sender and transports this module reads and updates (plain properties at run time). */
interface SenderState {
  stopped: boolean;
  mid?: string;
  headerExtensions: { uri: string; id: number }[];
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  rtcpRunning: boolean;
  runRtcp(): Promise<void>;
}

interface DtlsState {
  state: string;
  bytesSent: number;
  packetsSent: number;
  srtp: WeriftSrtpSession & {
    localContext: {
      cipher: { encryptRtp(header: RtpHeader, payload: Buffer, rolloverCounter: number): Buffer };
    };
  };
  iceTransport: { connection: IceConnectionState };
}

/** werift's nominated candidate pair. */
interface NominatedPair {
  remoteAddr: readonly [string, number];
  packetsSent: number;
  bytesSent: number;
  protocol: { transport?: { closed?: boolean; socket?: Socket } };
}

interface IceConnectionState {
  nominated?: NominatedPair;
  /** RFC 7675: no application data once consent expired. */
  canSendApplicationData(): boolean;
  send(data: Buffer): Promise<void>;
}

/**
 * What werift's SRTP ciphers read of a header: its SSRC and sequence number (for the IV/counter and the
 * rollover count) and its serialised bytes (the AAD or the authenticated prefix). They copy the bytes
 * before returning, so one preallocated buffer serves every packet.
 */
class HeaderView {
  ssrc = 0;
  sequenceNumber = 0;
  /** The serialised header of the packet being encrypted (a view of the consumer's buffer). */
  bytes: Buffer = Buffer.alloc(0);

  get serializeSize(): number {
    return this.bytes.length;
  }

  serialize(): Buffer {
    return this.bytes;
  }
}

/** The URI of the MID header extension (RFC 8843), as werift names it in `headerExtensions`. */
const SDES_MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';

/** Writes one consumer's packets to its subscriber (see the file comment). */
export class RtpEgress {
  readonly #sender: RTCRtpSender;
  readonly #state: SenderState;
  readonly #header = new HeaderView();
  /** The header template: fixed part, then the MID extension when negotiated. */
  #template: Buffer = Buffer.alloc(0);
  /** What the template was built for; rebuilt when negotiation changes any of it. */
  #templatePayloadType = -1;
  #templateMid: string | undefined;
  #templateMidId: number | undefined;
  #padding: Buffer | undefined;
  #rtcpStarted = false;
  readonly #rollover = new SrtpRollover();
  /** The sender's `ntpTimestamp` for its reports, kept as a number per packet. */
  readonly #clock: NtpSendClock;
  readonly #native: NativeDatapath | undefined;
  readonly #queue: NativeSendQueue | undefined;
  /** The addon's parsed address of the pair it was made for. */
  #destination: NativeDestination | undefined;
  #destinationPair: NominatedPair | undefined;

  /** @param datapath - the native datapath, or undefined to protect and send in JavaScript. */
  constructor(sender: RTCRtpSender, datapath?: NativeDatapath) {
    this.#sender = sender;
    // The private fields exist at run time (sender-internals.test.ts guards the ones the engine reads).
    this.#state = sender as unknown as SenderState;
    this.#clock = new NtpSendClock(sender);
    this.#native = datapath;
    this.#queue = datapath === undefined ? undefined : sendQueueOf(datapath);
  }

  /**
   * Encrypts and sends one packet with the given sequence number and timestamp (already rewritten for
   * this subscriber). Returns the bytes sent, or 0 when the leg cannot carry media now (not connected
   * yet, consent expired, stopped): such packets are dropped, as werift's sender drops them.
   */
  send(packet: RtpPacket, sequenceNumber: number, timestamp: number): number {
    const state = this.#state;
    const sender = this.#sender;
    const codec = sender.codec;
    const dtls = sender.dtlsTransport as unknown as DtlsState | undefined;
    if (state.stopped || codec === undefined || dtls === undefined || dtls.state !== 'connected') return 0;
    const connection = dtls.iceTransport.connection;
    if (!connection.canSendApplicationData()) return 0;

    const bytes = this.#headerFor(codec.payloadType);
    const { header, payload } = packet;
    bytes[1] = (header.marker ? 0x80 : 0) | codec.payloadType;
    bytes.writeUInt16BE(sequenceNumber, 2);
    bytes.writeUInt32BE(timestamp >>> 0, 4);
    bytes.writeUInt32BE(sender.ssrc >>> 0, 8);
    // Padding (RFC 3550 §5.1): werift's packet keeps only its size, so it is rebuilt after the payload.
    const paddingSize = header.padding && header.paddingSize > 0 ? header.paddingSize : 0;
    bytes[0] = paddingSize > 0 ? (bytes[0] as number) | 0x20 : (bytes[0] as number) & ~0x20;
    const rollover = this.#rollover.next(sequenceNumber);

    let sent = this.#queueNatively(dtls, connection, bytes, payload, paddingSize, rollover);
    if (sent === 0) {
      const body = paddingSize > 0 ? Buffer.concat([payload, this.#paddingOf(paddingSize)]) : payload;
      const view = this.#header;
      view.ssrc = sender.ssrc;
      view.sequenceNumber = sequenceNumber;
      view.bytes = bytes;
      // The view carries exactly what werift's ciphers read of an `RtpHeader`; the rollover counter is
      // this egress's, so both ciphers number packets alike.
      const encrypted = dtls.srtp.localContext.cipher.encryptRtp(
        view as unknown as RtpHeader,
        body,
        rollover,
      );
      this.#write(connection, encrypted);
      sent = encrypted.length;
    }

    dtls.bytesSent += sent;
    dtls.packetsSent++;
    this.#clock.sent();
    state.rtpTimestamp = timestamp >>> 0;
    state.octetCount += payload.length;
    state.headerBytesSent += bytes.length;
    state.packetCount = (state.packetCount + 1) >>> 0;
    if (!this.#rtcpStarted) {
      // werift starts its sender-report loop from its own send path; this path starts it once.
      this.#rtcpStarted = true;
      if (!state.rtcpRunning) void state.runRtcp();
    }
    return sent;
  }

  /**
   * Protects the packet into the addon's send queue when the leg is a nominated UDP pair with an IP
   * address and a profile the addon implements. Returns the protected size, or 0 to go the JavaScript way.
   */
  #queueNatively(
    dtls: DtlsState,
    connection: IceConnectionState,
    header: Buffer,
    payload: Buffer,
    paddingSize: number,
    rollover: number,
  ): number {
    const native = this.#native;
    const queue = this.#queue;
    const pair = connection.nominated;
    if (native === undefined || queue === undefined || pair === undefined) return 0;
    const transport = pair.protocol.transport;
    const socket = transport?.socket;
    if (socket === undefined || transport?.closed || typeof socket.send !== 'function') return 0;
    const srtp = nativeSrtpFor(native, dtls.srtp);
    if (srtp === null) return 0;
    const sender = queue.senderFor(socket);
    if (sender === null) return 0;
    if (this.#destinationPair !== pair) {
      const [host, port] = pair.remoteAddr;
      this.#destination = isIP(host) === 0 ? undefined : native.createDestination(host, port);
      this.#destinationPair = pair;
    }
    const destination = this.#destination;
    if (destination === undefined) return 0;
    const sent = native.queueRtp(srtp.local, header, payload, paddingSize, rollover, sender, destination);
    if (sent === 0) return 0;
    queue.queued();
    pair.packetsSent++;
    pair.bytesSent += sent;
    return sent;
  }

  /** Sends on the nominated pair's UDP socket directly; anything else (TCP, TURN) through werift. */
  #write(connection: IceConnectionState, data: Buffer): void {
    const pair = connection.nominated;
    const transport = pair?.protocol.transport;
    const socket = transport?.socket;
    if (pair === undefined || socket === undefined || typeof socket.send !== 'function') {
      connection.send(data).catch(() => {
        // A send fails only while the transport goes away; its state change reports that.
      });
      return;
    }
    if (transport?.closed) return;
    const [host, port] = pair.remoteAddr;
    if (isIP(host) === 0) {
      connection.send(data).catch(() => {
        // As above: an unresolved remote address goes the slow way, which resolves it.
      });
      return;
    }
    socket.send(data, port, host);
    pair.packetsSent++;
    pair.bytesSent += data.length;
  }

  /** The consumer's header buffer, rebuilt when the payload type, MID or MID extension id changed. */
  #headerFor(payloadType: number): Buffer {
    const state = this.#state;
    const mid = state.mid;
    const midId =
      mid === undefined ? undefined : state.headerExtensions.find((e) => e.uri === SDES_MID_URI)?.id;
    if (
      payloadType === this.#templatePayloadType &&
      mid === this.#templateMid &&
      midId === this.#templateMidId
    ) {
      return this.#template;
    }
    this.#templatePayloadType = payloadType;
    this.#templateMid = mid;
    this.#templateMidId = midId;
    this.#template = buildHeaderTemplate(
      mid !== undefined && midId !== undefined ? { id: midId, mid } : undefined,
    );
    return this.#template;
  }

  #paddingOf(size: number): Buffer {
    let padding = this.#padding;
    if (padding === undefined || padding.length !== size) {
      padding = Buffer.alloc(size);
      padding[size - 1] = size;
      this.#padding = padding;
    }
    return padding;
  }
}

/**
 * A header buffer: version 2, no CSRC, and with `mid` a one-byte-profile extension block holding the
 * MID element (RFC 8285 §4.2), padded to a 32-bit boundary. Payload type, sequence number, timestamp and
 * SSRC are written per packet.
 */
export function buildHeaderTemplate(mid: { id: number; mid: string } | undefined): Buffer {
  if (mid === undefined) {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    return header;
  }
  const value = Buffer.from(mid.mid, 'utf8');
  if (value.length < 1 || value.length > 16 || mid.id < 1 || mid.id > 14) {
    throw new RangeError(
      `a MID extension needs an id of 1–14 and 1–16 bytes, got id ${mid.id}, "${mid.mid}"`,
    );
  }
  const elementBytes = 1 + value.length;
  const words = Math.ceil(elementBytes / 4);
  const header = Buffer.alloc(12 + 4 + words * 4);
  header[0] = 0x90; // version 2, extension bit
  header.writeUInt16BE(ONE_BYTE_PROFILE, 12);
  header.writeUInt16BE(words, 14);
  header[16] = (mid.id << 4) | (value.length - 1);
  value.copy(header, 17);
  return header;
}
