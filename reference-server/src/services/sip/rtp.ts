/**
 * The RTP leg of a SIP call (RFC 3550): one UDP socket that sends the call's audio (G.711 or Opus) and
 * RFC 4733 events to the callee's address and receives the callee's packets. Packets from any address are
 * accepted (symmetric RTP through NATs sends from elsewhere than the SDP says); RTCP is not sent — SIP
 * endpoints do not require it, and the 5-minute media timeout is judged on received RTP.
 */
import { createSocket, type Socket } from 'node:dgram';

/** One RTP packet to send. */
export interface OutboundRtp {
  payloadType: number;
  marker: boolean;
  timestamp: number;
  payload: Buffer;
}

/** A received packet's fields. */
export interface InboundRtp {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** Serialises an RTP packet with a fixed 12-byte header. */
export function buildRtp(packet: OutboundRtp & { sequence: number; ssrc: number }): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  header.writeUInt16BE(packet.sequence & 0xffff, 2);
  header.writeUInt32BE(packet.timestamp >>> 0, 4);
  header.writeUInt32BE(packet.ssrc >>> 0, 8);
  return Buffer.concat([header, packet.payload]);
}

/** Parses an RTP packet; null for anything else (RTCP, STUN, garbage). */
export function parseRtp(bytes: Buffer): InboundRtp | null {
  if (bytes.length < 12 || (bytes[0] ?? 0) >> 6 !== 2) return null;
  const first = bytes[0] ?? 0;
  const second = bytes[1] ?? 0;
  // RTCP shares the version bits; its packet types 200–204 land on payload types 72–76 with the marker.
  if (second >= 200 && second <= 204) return null;
  let offset = 12 + (first & 0x0f) * 4;
  if (first & 0x10) {
    if (bytes.length < offset + 4) return null;
    offset += 4 + bytes.readUInt16BE(offset + 2) * 4;
  }
  let end = bytes.length;
  if (first & 0x20) end -= bytes[bytes.length - 1] ?? 0;
  if (end < offset) return null;
  return {
    payloadType: second & 0x7f,
    marker: (second & 0x80) !== 0,
    sequence: bytes.readUInt16BE(2),
    timestamp: bytes.readUInt32BE(4),
    ssrc: bytes.readUInt32BE(8),
    payload: bytes.subarray(offset, end),
  };
}

/** A bound RTP socket; see the file comment. */
export class RtpEndpoint {
  readonly #socket: Socket;
  readonly #ssrc = (Math.random() * 0xffffffff) >>> 0;
  #sequence = Math.floor(Math.random() * 0xffff);
  #remote: { address: string; port: number } | null = null;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Binds a socket on `address` (the one advertised in the SDP), on a free port. */
  static async bind(address: string, onPacket: (packet: InboundRtp) => void): Promise<RtpEndpoint> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    const endpoint = new RtpEndpoint(socket);
    socket.on('message', (bytes) => {
      const packet = parseRtp(bytes);
      if (packet) onPacket(packet);
    });
    // A send error (ICMP unreachable) is not fatal to a call: the media timeout decides.
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return endpoint;
  }

  /** The local port. */
  get port(): number {
    return this.#socket.address().port;
  }

  /** Where packets go (from the SDP answer). */
  setRemote(address: string, port: number): void {
    this.#remote = { address, port };
  }

  /** Sends a packet to the remote address; nothing before it is known or after close. */
  send(packet: OutboundRtp): void {
    if (!this.#remote || this.#closed) return;
    const bytes = buildRtp({ ...packet, sequence: this.#sequence, ssrc: this.#ssrc });
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#socket.send(bytes, this.#remote.port, this.#remote.address, () => undefined);
  }

  /** Closes the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
