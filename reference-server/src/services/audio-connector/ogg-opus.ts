/**
 * A minimal Ogg Opus (RFC 7845) writer and reader: the container ffmpeg reads Opus packets from on its
 * stdin and writes encoded packets to on its stdout. A pipe carries no packet boundaries and no RTP
 * timing, and Ogg is the smallest format that adds both, so the codec processes need no UDP ports, no
 * SDP and no probing. One page carries one packet, so nothing waits for a page to fill.
 */

/** The Ogg CRC-32 (polynomial 0x04c11db7, not reflected, initial value 0). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  return crc;
}

/** The page flags of the Ogg header. */
const CONTINUED = 0x01;
const FIRST_PAGE = 0x02;
const LAST_PAGE = 0x04;

/** The largest packet one page can carry (255 lacing values of 255 bytes, minus one). */
const MAX_PAGE_PACKET = 255 * 255 - 1;

/** Writes one Opus stream as Ogg pages, one packet per page. */
export class OggOpusWriter {
  readonly #serial: number;
  #sequence = 0;

  /** @param serial - the stream's serial number (any 32-bit value). */
  constructor(serial = 0x5041524c) {
    this.#serial = serial >>> 0;
  }

  /**
   * The two header pages: `OpusHead` (with `channels`, no pre-skip, the original `inputRate`) and
   * `OpusTags` (no comments).
   */
  headers(channels: 1 | 2, inputRate: number): Buffer {
    const head = Buffer.alloc(19);
    head.write('OpusHead', 0, 'latin1');
    head.writeUInt8(1, 8);
    head.writeUInt8(channels, 9);
    head.writeUInt16LE(0, 10);
    head.writeUInt32LE(inputRate, 12);
    head.writeInt16LE(0, 16);
    head.writeUInt8(0, 18);
    const vendor = Buffer.from('parley', 'latin1');
    const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
    tags.write('OpusTags', 0, 'latin1');
    tags.writeUInt32LE(vendor.length, 8);
    vendor.copy(tags, 12);
    tags.writeUInt32LE(0, 12 + vendor.length);
    return Buffer.concat([this.#page(head, 0n, FIRST_PAGE), this.#page(tags, 0n, 0)]);
  }

  /**
   * A page carrying one Opus packet. `granule` is the 48 kHz sample position at the end of the packet;
   * `last` marks the end of the stream. Throws a `RangeError` for a packet too large for one page.
   */
  packet(packet: Uint8Array, granule: bigint, last = false): Buffer {
    if (packet.length > MAX_PAGE_PACKET) {
      throw new RangeError(`packet must be at most ${MAX_PAGE_PACKET} bytes (got ${packet.length})`);
    }
    return this.#page(packet, granule, last ? LAST_PAGE : 0);
  }

  #page(packet: Uint8Array, granule: bigint, flags: number): Buffer {
    const lacing: number[] = [];
    let left = packet.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
    const page = Buffer.alloc(27 + lacing.length + packet.length);
    page.write('OggS', 0, 'latin1');
    page.writeUInt8(0, 4);
    page.writeUInt8(flags, 5);
    page.writeBigInt64LE(granule, 6);
    page.writeUInt32LE(this.#serial, 14);
    page.writeUInt32LE(this.#sequence++, 18);
    page.writeUInt8(lacing.length, 26);
    Buffer.from(lacing).copy(page, 27);
    Buffer.from(packet.buffer, packet.byteOffset, packet.length).copy(page, 27 + lacing.length);
    page.writeUInt32LE(oggCrc(page), 22);
    return page;
  }
}

/**
 * Reads Ogg pages from a byte stream in arbitrary chunks and hands out the Opus audio packets (the
 * `OpusHead` and `OpusTags` header packets are skipped). Pages with a bad capture pattern or CRC throw
 * an `Error`: the stream comes from our own ffmpeg, so corruption is a bug, not noise to resync over.
 */
export class OggOpusReader {
  #buffer: Buffer = Buffer.alloc(0);
  /** The part of a packet continued on the next page. */
  #partial: Buffer[] = [];
  #packetsSeen = 0;

  /** Adds bytes; returns the complete audio packets they finish, in order. */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const packets: Buffer[] = [];
    for (;;) {
      if (this.#buffer.length < 27) break;
      if (this.#buffer.toString('latin1', 0, 4) !== 'OggS')
        throw new Error('Ogg page capture pattern missing');
      const segments = this.#buffer.readUInt8(26);
      const headerLength = 27 + segments;
      if (this.#buffer.length < headerLength) break;
      const lacing = this.#buffer.subarray(27, headerLength);
      let bodyLength = 0;
      for (const value of lacing) bodyLength += value;
      if (this.#buffer.length < headerLength + bodyLength) break;
      const page = Buffer.from(this.#buffer.subarray(0, headerLength + bodyLength));
      this.#buffer = this.#buffer.subarray(headerLength + bodyLength);
      const crc = page.readUInt32LE(22);
      page.writeUInt32LE(0, 22);
      if (oggCrc(page) !== crc) throw new Error('Ogg page CRC mismatch');
      if ((page.readUInt8(5) & CONTINUED) === 0) this.#partial = [];
      let offset = headerLength;
      for (const value of page.subarray(27, headerLength)) {
        this.#partial.push(page.subarray(offset, offset + value));
        offset += value;
        if (value === 255) continue;
        const packet = Buffer.concat(this.#partial);
        this.#partial = [];
        // The first two packets of an Ogg Opus stream are OpusHead and OpusTags.
        if (this.#packetsSeen++ >= 2) packets.push(packet);
      }
    }
    return packets;
  }
}
