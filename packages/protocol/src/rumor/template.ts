/**
 * Rumor frames encoded once and addressed many times. Every copy of a server broadcast carries the same
 * headers and body; only the recipient's address and one header (its `TRANSACTION-ID`) differ. A
 * {@link RumorFrameTemplate} encodes the shared parts once, so each copy costs one allocation, two
 * copies and a few bytes of ASCII instead of a full encoding (text encoding of the whole body per
 * recipient dominated the gateway's fan-out cost). The output is byte-for-byte what
 * {@link encodeRumorFrame} produces for the same frame.
 */
import { RumorEncodeError, type RumorFrame, type RumorType } from './frame.js';
import { utf8Length, writeUtf8 } from './utf8.js';

const encoder = new TextEncoder();
const MAX_STRING_BYTES = 0xffff;

/** A frame without its addresses and with one header whose value is given per copy. */
export class RumorFrameTemplate {
  /** The frame type. */
  readonly type: RumorType;
  /** The name of the header whose value each copy sets ({@link encode}'s `slotValue`). */
  readonly slotHeader: string;
  /** The header count, the headers before the slot header, and the slot header's name. */
  readonly #head: Uint8Array;
  /** The headers after the slot header, and the body. */
  readonly #tail: Uint8Array;

  /**
   * Encodes the shared parts of `frame`. `slotHeader` must be one of its headers: its position is kept,
   * its value in `frame` is ignored. Throws {@link RumorEncodeError} for more than 255 headers or a
   * string longer than 65535 bytes.
   */
  constructor(frame: Omit<RumorFrame, 'to'>, slotHeader: string) {
    const entries = Object.entries(frame.headers);
    const slot = entries.findIndex(([name]) => name === slotHeader);
    if (slot < 0) throw new RumorEncodeError(`the template has no ${slotHeader} header to fill in`);
    if (entries.length > 255)
      throw new RumorEncodeError(`a frame holds at most 255 headers, got ${entries.length}`);
    this.type = frame.type;
    this.slotHeader = slotHeader;
    const head: Uint8Array[] = [Uint8Array.of(entries.length)];
    for (const [name, value] of entries.slice(0, slot)) head.push(...header(name, value));
    head.push(prefixed(slotHeader, 'header name'));
    const tail: Uint8Array[] = [];
    for (const [name, value] of entries.slice(slot + 1)) tail.push(...header(name, value));
    tail.push(encoder.encode(frame.body));
    this.#head = concat(head);
    this.#tail = concat(tail);
  }

  /** The bytes every copy shares (what a template keeps in memory). */
  get sharedBytes(): number {
    return this.#head.length + this.#tail.length;
  }

  /**
   * Encodes one copy, addressed to `to`, with `slotValue` as the slot header's value. Throws
   * {@link RumorEncodeError} for more than 255 addresses or an address or value above 65535 bytes.
   * `allocate` provides the bytes (every byte is written, so it need not zero them): a server passes
   * Node's pooled `Buffer.allocUnsafe` so the many small copies of a broadcast do not each cost a `malloc`.
   */
  encode(
    to: readonly string[],
    slotValue: string,
    allocate: (size: number) => Uint8Array = newBytes,
  ): Uint8Array {
    if (to.length > 255) throw new RumorEncodeError(`a frame holds at most 255 addresses, got ${to.length}`);
    // One or two addresses in practice; a small array of lengths beats re-scanning the strings.
    const addressBytes = to.map((address) => checked(utf8Length(address), 'address'));
    const valueBytes = checked(utf8Length(slotValue), 'header value');
    let size = 8 + this.#head.length + 2 + valueBytes + this.#tail.length;
    for (const length of addressBytes) size += 2 + length;

    const bytes = allocate(size);
    const frameLength = size - 4;
    bytes[0] = frameLength >>> 24;
    bytes[1] = (frameLength >>> 16) & 0xff;
    bytes[2] = (frameLength >>> 8) & 0xff;
    bytes[3] = frameLength & 0xff;
    bytes[4] = 0; // reserved
    bytes[5] = 0;
    bytes[6] = this.type;
    bytes[7] = to.length;
    let offset = 8;
    for (let i = 0; i < to.length; i++) {
      const length = addressBytes[i] as number;
      offset = writeUint16(bytes, offset, length);
      offset = writeUtf8(bytes, offset, to[i] as string, length);
    }
    bytes.set(this.#head, offset);
    offset += this.#head.length;
    offset = writeUint16(bytes, offset, valueBytes);
    offset = writeUtf8(bytes, offset, slotValue, valueBytes);
    bytes.set(this.#tail, offset);
    return bytes;
  }
}

function newBytes(size: number): Uint8Array {
  return new Uint8Array(size);
}

function header(name: string, value: string): [Uint8Array, Uint8Array] {
  return [prefixed(name, 'header name'), prefixed(value, 'header value')];
}

/** A string as the codec writes it: a big-endian uint16 length, then its UTF-8 bytes. */
function prefixed(text: string, what: string): Uint8Array {
  const length = checked(utf8Length(text), what);
  const bytes = new Uint8Array(2 + length);
  writeUtf8(bytes, writeUint16(bytes, 0, length), text, length);
  return bytes;
}

function writeUint16(bytes: Uint8Array, offset: number, value: number): number {
  bytes[offset] = value >>> 8;
  bytes[offset + 1] = value & 0xff;
  return offset + 2;
}

function checked(length: number, what: string): number {
  if (length > MAX_STRING_BYTES)
    throw new RumorEncodeError(`a ${what} is at most 65535 bytes, got ${length}`);
  return length;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
