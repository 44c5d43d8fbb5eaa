/**
 * The EBML encoding Matroska is built on, as far as the per-stream writer needs it: element IDs,
 * variable-length sizes, unsigned integers, floats, strings and binary payloads. Elements are built as
 * Buffers; a master element is its children concatenated behind its ID and size.
 */

/** Matroska element IDs used by the writer and the repair scan (IDs keep their length marker bits). */
export const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimestampScale: 0x2ad7b1,
  Duration: 0x4489,
  DateUTC: 0x4461,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  FlagLacing: 0x9c,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  CodecDelay: 0x56aa,
  SeekPreRoll: 0x56bb,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Audio: 0xe1,
  SamplingFrequency: 0xb5,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  Timestamp: 0xe7,
  SimpleBlock: 0xa3,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
  Void: 0xec,
} as const;

/** The 8-byte "unknown size" (all value bits set), written for the Segment until the file is finished. */
export const UNKNOWN_SIZE_8 = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** The bytes of an element ID (1 to 4 bytes; the length marker is part of the ID). */
export function encodeId(id: number): Buffer {
  const length = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
  const bytes = Buffer.alloc(length);
  bytes.writeUIntBE(id, 0, length);
  return bytes;
}

/** A size as an EBML variable-length integer, in the fewest bytes or exactly `width` bytes. */
export function encodeSize(size: number, width?: number): Buffer {
  let length = width ?? 1;
  // A length-n vint holds 7n bits; the all-ones value is reserved for "unknown".
  while (width === undefined && size >= 2 ** (7 * length) - 1) length++;
  if (length > 8 || size >= 2 ** (7 * length) - 1) throw new RangeError(`EBML size ${size} does not fit`);
  const bytes = Buffer.alloc(length);
  let rest = size;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes[0] = (bytes[0] ?? 0) | (0x80 >> (length - 1));
  return bytes;
}

/** An element with a binary payload. */
export function element(id: number, payload: Buffer): Buffer {
  return Buffer.concat([encodeId(id), encodeSize(payload.length), payload]);
}

/** A master element holding `children`. */
export function master(id: number, children: readonly Buffer[]): Buffer {
  return element(id, Buffer.concat(children));
}

/** An unsigned-integer element (big-endian, fewest bytes). */
export function uint(id: number, value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`EBML uint ${value} is invalid`);
  let length = 1;
  while (length < 8 && value >= 2 ** (8 * length)) length++;
  const bytes = Buffer.alloc(length);
  bytes.writeUIntBE(value % 2 ** 48, Math.max(0, length - 6), Math.min(length, 6));
  if (length > 6) bytes.writeUIntBE(Math.floor(value / 2 ** 48), 0, length - 6);
  return element(id, bytes);
}

/** A signed-integer element written on 8 bytes (DateUTC). */
export function int64(id: number, value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(value);
  return element(id, bytes);
}

/** A 64-bit float element. */
export function float64(id: number, value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleBE(value);
  return element(id, bytes);
}

/** An ASCII/UTF-8 string element. */
export function string(id: number, value: string): Buffer {
  return element(id, Buffer.from(value, 'utf8'));
}

/** A Void element of exactly `totalBytes` bytes (reserves room to be overwritten later). */
export function voidElement(totalBytes: number): Buffer {
  if (totalBytes < 2 || totalBytes > 128) throw new RangeError('Void elements here are 2 to 128 bytes');
  return Buffer.concat([encodeId(ID.Void), encodeSize(totalBytes - 2, 1), Buffer.alloc(totalBytes - 2)]);
}

/** A decoded element header. */
export interface ElementHeader {
  id: number;
  /** The payload size, or null for "unknown". */
  size: number | null;
  /** Bytes taken by the ID and the size. */
  headerLength: number;
}

/**
 * Reads the element header at `offset` of `bytes`; null when `bytes` ends before the header does or
 * does not hold a valid one.
 */
export function readElementHeader(bytes: Buffer, offset: number): ElementHeader | null {
  const first = bytes[offset];
  if (first === undefined || first === 0) return null;
  const idLength = Math.clz32(first) - 23;
  if (idLength > 4 || offset + idLength > bytes.length) return null;
  const id = bytes.readUIntBE(offset, idLength);
  const sizeFirst = bytes[offset + idLength];
  if (sizeFirst === undefined || sizeFirst === 0) return null;
  const sizeLength = Math.clz32(sizeFirst) - 23;
  if (offset + idLength + sizeLength > bytes.length) return null;
  let size = sizeFirst & (0xff >> sizeLength);
  let allOnes = size === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i++) {
    const byte = bytes[offset + idLength + i] ?? 0;
    allOnes &&= byte === 0xff;
    size = size * 256 + byte;
  }
  return { id, size: allOnes ? null : size, headerLength: idLength + sizeLength };
}
