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

/** Why a frame could not be decoded. */
export type RumorDecodeFailure =
  | 'too-short'
  | 'length-mismatch'
  | 'too-large'
  | 'unknown-type'
  | 'truncated'
  | 'invalid-utf8';

/** A frame that could not be decoded; `reason` says why. */
export class RumorDecodeError extends Error {
  override readonly name = 'RumorDecodeError';
  constructor(
    readonly reason: RumorDecodeFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A frame that cannot be encoded (too many addresses or headers, a string longer than 65535 bytes). */
export class RumorEncodeError extends Error {
  override readonly name = 'RumorEncodeError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const KNOWN_TYPES = new Set<number>(Object.values(RumorType));

/** The default cap on a decoded frame's size, in bytes. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** Encodes a frame into its binary form. */
export function encodeRumorFrame(frame: RumorFrame): Uint8Array {
  const to = frame.to.map((address) => encoder.encode(address));
  const headers = Object.entries(frame.headers).map(([key, value]) => [
    encoder.encode(key),
    encoder.encode(value),
  ]);
  const body = encoder.encode(frame.body);
  if (to.length > 255) throw new RumorEncodeError(`a frame holds at most 255 addresses, got ${to.length}`);
  if (headers.length > 255)
    throw new RumorEncodeError(`a frame holds at most 255 headers, got ${headers.length}`);

  let size = 4 + 2 + 1 + 1 + 1 + body.length;
  for (const address of to) size += 2 + checkedLength(address, 'address');
  for (const [key, value] of headers) {
    size +=
      2 +
      checkedLength(key as Uint8Array, 'header name') +
      2 +
      checkedLength(value as Uint8Array, 'header value');
  }

  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, size - 4);
  view.setUint16(4, 0);
  bytes[6] = frame.type;
  bytes[7] = to.length;
  let offset = 8;
  const put = (chunk: Uint8Array): void => {
    view.setUint16(offset, chunk.length);
    bytes.set(chunk, offset + 2);
    offset += 2 + chunk.length;
  };
  for (const address of to) put(address);
  bytes[offset++] = headers.length;
  for (const [key, value] of headers) {
    put(key as Uint8Array);
    put(value as Uint8Array);
  }
  bytes.set(body, offset);
  return bytes;
}

function checkedLength(chunk: Uint8Array, what: string): number {
  if (chunk.length > 0xffff)
    throw new RumorEncodeError(`a ${what} is at most 65535 bytes, got ${chunk.length}`);
  return chunk.length;
}

/**
 * Decodes one binary frame. Throws {@link RumorDecodeError} for anything malformed: wrong length field,
 * a truncated address or header, an unknown type, invalid UTF-8, or a frame above `maxBytes`.
 */
export function decodeRumorFrame(input: Uint8Array, maxBytes = DEFAULT_MAX_FRAME_BYTES): RumorFrame {
  if (input.length > maxBytes) {
    throw new RumorDecodeError(
      'too-large',
      `frame of ${input.length} bytes exceeds the ${maxBytes}-byte limit`,
    );
  }
  if (input.length < 9)
    throw new RumorDecodeError('too-short', `frame of ${input.length} bytes is too short`);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const declared = view.getUint32(0);
  if (declared !== input.length - 4) {
    throw new RumorDecodeError(
      'length-mismatch',
      `length field says ${declared} bytes, frame has ${input.length - 4}`,
    );
  }
  const type = input[6] as number;
  if (!KNOWN_TYPES.has(type)) throw new RumorDecodeError('unknown-type', `unknown frame type ${type}`);

  let offset = 8;
  const take = (what: string): string => {
    if (offset + 2 > input.length)
      throw new RumorDecodeError('truncated', `frame ends inside the length of a ${what}`);
    const length = view.getUint16(offset);
    const start = offset + 2;
    if (start + length > input.length) throw new RumorDecodeError('truncated', `frame ends inside a ${what}`);
    offset = start + length;
    return text(input.subarray(start, start + length), what);
  };

  const to: string[] = [];
  for (let i = 0, n = input[7] as number; i < n; i++) to.push(take('address'));
  if (offset >= input.length) throw new RumorDecodeError('truncated', 'frame ends before its header count');
  const headerCount = input[offset++] as number;
  const headers: Record<string, string> = {};
  for (let i = 0; i < headerCount; i++) {
    const key = take('header name');
    headers[key] = take('header value');
  }
  const body = text(input.subarray(offset), 'body');
  return { type: type as RumorType, to, headers, body };
}

function text(bytes: Uint8Array, what: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new RumorDecodeError('invalid-utf8', `the ${what} is not valid UTF-8`);
  }
}
