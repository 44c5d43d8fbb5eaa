/**
 * The Rumor frame codec: the binary envelope of every WebSocket message between an OpenTok.js-compatible
 * client and the signaling gateway. Layout (all integers big-endian, strings UTF-8):
 *
 * ```
 * offset  size  field
 * 0       4     uint32  length of the whole frame minus these 4 bytes
 * 4       2     reserved, 0
 * 6       1     type     (RumorType)
 * 7       1     nAddr    number of "to" addresses
 * 8       …     nAddr × { uint16 length, address }
 * …       1     nHdr     number of headers (at most 255)
 * …       …     nHdr × { uint16 keyLength, key, uint16 valueLength, value }
 * …       rest  body     (JSON for Raptor messages; may be empty)
 * ```
 *
 * Browser-safe: only `Uint8Array`, `DataView`, `TextEncoder` and `TextDecoder`.
 */
import { RumorDecodeError, RumorEncodeError } from './errors.js';
import { FrameReader } from './reader.js';
import { utf8Length, writeUtf8 } from './utf8.js';

/** Rumor frame types. */
export const RumorType = {
  Subscribe: 0,
  Unsubscribe: 1,
  Message: 2,
  Connect: 3,
  Disconnect: 4,
  Ping: 7,
  Pong: 8,
  Status: 9,
} as const;

/** A Rumor frame type number. */
export type RumorType = (typeof RumorType)[keyof typeof RumorType];

const TYPE_NAMES = new Map<number, string>(Object.entries(RumorType).map(([name, value]) => [value, name]));

/** The name of a Rumor frame type (`Message`, `Status`, …), for logs. */
export function rumorTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `Unknown(${type})`;
}

/** A decoded Rumor frame. Header names keep the case they were sent with. */
export interface RumorFrame {
  type: RumorType;
  /** The addresses the frame is sent to (topics, connection IDs, the symphony address). */
  to: string[];
  /** Headers in the order they were sent. */
  headers: Record<string, string>;
  /** The body as text (JSON for Raptor messages); empty when there is none. */
  body: string;
}

export { RumorDecodeError, type RumorDecodeFailure, RumorEncodeError } from './errors.js';

const encoder = new TextEncoder();
const KNOWN_TYPES = new Set<number>(Object.values(RumorType));

/** The default cap on a decoded frame's size, in bytes. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** Encodes a frame into its binary form. */
export function encodeRumorFrame(frame: RumorFrame): Uint8Array {
  const { to } = frame;
  const headers = Object.entries(frame.headers);
  if (to.length > 255) throw new RumorEncodeError(`a frame holds at most 255 addresses, got ${to.length}`);
  if (headers.length > 255)
    throw new RumorEncodeError(`a frame holds at most 255 headers, got ${headers.length}`);
  // Short strings are measured and written in place; only the body goes through TextEncoder.
  const toBytes = to.map((address) => checkedLength(utf8Length(address), 'address'));
  const headerBytes = headers.map(([key, value]): [number, number] => [
    checkedLength(utf8Length(key), 'header name'),
    checkedLength(utf8Length(value), 'header value'),
  ]);
  const body = encoder.encode(frame.body);

  let size = 4 + 2 + 1 + 1 + 1 + body.length;
  for (const length of toBytes) size += 2 + length;
  for (const [keyLength, valueLength] of headerBytes) size += 2 + keyLength + 2 + valueLength;

  const bytes = new Uint8Array(size);
  const frameLength = size - 4;
  bytes[0] = frameLength >>> 24;
  bytes[1] = (frameLength >>> 16) & 0xff;
  bytes[2] = (frameLength >>> 8) & 0xff;
  bytes[3] = frameLength & 0xff;
  bytes[6] = frame.type;
  bytes[7] = to.length;
  let offset = 8;
  for (let i = 0; i < to.length; i++)
    offset = putString(bytes, offset, to[i] as string, toBytes[i] as number);
  bytes[offset++] = headers.length;
  for (let i = 0; i < headers.length; i++) {
    const [key, value] = headers[i] as [string, string];
    const [keyLength, valueLength] = headerBytes[i] as [number, number];
    offset = putString(bytes, offset, key, keyLength);
    offset = putString(bytes, offset, value, valueLength);
  }
  bytes.set(body, offset);
  return bytes;
}

/** Writes a big-endian uint16 length and the string's UTF-8 bytes; returns the offset after them. */
function putString(bytes: Uint8Array, offset: number, text: string, length: number): number {
  bytes[offset] = length >>> 8;
  bytes[offset + 1] = length & 0xff;
  return writeUtf8(bytes, offset + 2, text, length);
}

function checkedLength(length: number, what: string): number {
  if (length > 0xffff) throw new RumorEncodeError(`a ${what} is at most 65535 bytes, got ${length}`);
  return length;
}

/**
 * Decodes one binary frame. Throws {@link RumorDecodeError} for anything malformed: wrong length field,
 * a truncated address or header, an unknown type, invalid UTF-8, or a frame above `maxBytes`.
 */
export function decodeRumorFrame(input: Uint8Array, maxBytes = DEFAULT_MAX_FRAME_BYTES): RumorFrame {
  const type = checkEnvelope(input, maxBytes);
  const reader = new FrameReader(input, 8);
  const to: string[] = [];
  for (let i = 0, n = input[7] as number; i < n; i++) to.push(reader.string('address'));
  const headerCount = reader.byte('header count');
  const headers: Record<string, string> = {};
  for (let i = 0; i < headerCount; i++) {
    const key = reader.string('header name');
    headers[key] = reader.string('header value');
  }
  return { type, to, headers, body: reader.rest('body') };
}

/**
 * Reads one header of a frame without decoding the rest: the gateway reads the `TRANSACTION-ID` of each
 * ACK this way, a thousand per broadcast. `name` must be ASCII. Returns undefined when the frame has no
 * such header. Checks the envelope and the structure up to the header as {@link decodeRumorFrame} does
 * (throwing {@link RumorDecodeError}), but not the text of the parts it skips.
 */
export function peekRumorHeader(
  input: Uint8Array,
  name: string,
  maxBytes = DEFAULT_MAX_FRAME_BYTES,
): string | undefined {
  checkEnvelope(input, maxBytes);
  const reader = new FrameReader(input, 8);
  for (let i = 0, n = input[7] as number; i < n; i++) reader.skipString('address');
  const headerCount = reader.byte('header count');
  for (let i = 0; i < headerCount; i++) {
    if (reader.stringEquals(name, 'header name')) return reader.string('header value');
    reader.skipString('header value');
  }
  return undefined;
}

/** Checks the size, the length field and the type of a frame; returns the type. */
function checkEnvelope(input: Uint8Array, maxBytes: number): RumorType {
  if (input.length > maxBytes) {
    throw new RumorDecodeError(
      'too-large',
      `frame of ${input.length} bytes exceeds the ${maxBytes}-byte limit`,
    );
  }
  if (input.length < 9)
    throw new RumorDecodeError('too-short', `frame of ${input.length} bytes is too short`);
  // The length field is a big-endian uint32 (>>> 0 keeps it unsigned).
  const declared =
    (((input[0] as number) << 24) |
      ((input[1] as number) << 16) |
      ((input[2] as number) << 8) |
      (input[3] as number)) >>>
    0;
  if (declared !== input.length - 4) {
    throw new RumorDecodeError(
      'length-mismatch',
      `length field says ${declared} bytes, frame has ${input.length - 4}`,
    );
  }
  const type = input[6] as number;
  if (!KNOWN_TYPES.has(type)) throw new RumorDecodeError('unknown-type', `unknown frame type ${type}`);
  return type as RumorType;
}
