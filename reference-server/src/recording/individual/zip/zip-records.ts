/**
 * The byte layout of the ZIP records an individual archive needs (PKWARE APPNOTE 6.3.x): local file
 * headers, central directory headers and the end records, with the ZIP64 extensions (§4.3.14, §4.5.3)
 * used when a size or an offset does not fit 32 bits. Pure functions, so the ZIP64 decisions are
 * tested with offsets beyond 4 GiB without writing 4 GiB.
 *
 * Written entries never use a data descriptor (flag bit 3): the writer patches the CRC into the local
 * header once the data is written, so every reader — including the streaming ones that never read the
 * central directory — finds the sizes in the local header.
 */

/** A 32-bit field holding this value means "see the ZIP64 extra field". */
export const ZIP64_MARKER_32 = 0xffff_ffff;
/** A 16-bit entry count holding this value means "see the ZIP64 end of central directory record". */
export const ZIP64_MARKER_16 = 0xffff;

const LOCAL_HEADER_SIGNATURE = 0x0403_4b50;
const CENTRAL_HEADER_SIGNATURE = 0x0201_4b50;
const END_SIGNATURE = 0x0605_4b50;
const ZIP64_END_SIGNATURE = 0x0606_4b50;
const ZIP64_LOCATOR_SIGNATURE = 0x0706_4b50;
const ZIP64_EXTRA_ID = 0x0001;
/** Bit 11: the file name is UTF-8. */
const FLAG_UTF8 = 0x0800;
/** "Made by" Unix (3), so the external attributes carry a Unix mode. */
const MADE_BY_UNIX = 3 << 8;
/** Version needed: 2.0 for deflate, 4.5 for ZIP64. */
const VERSION_DEFLATE = 20;
const VERSION_ZIP64 = 45;
/** A regular file, rw-r--r--, in the high 16 bits of the external attributes. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;

/** The offset of the CRC-32 field within a local file header (the writer patches it). */
export const LOCAL_HEADER_CRC_OFFSET = 14;

/** Compression methods used here. */
export type ZipMethod = 0 | 8;

/** One entry, as known once its data has been written. */
export interface ZipEntry {
  /** The name, UTF-8 encoded, `/`-separated. */
  name: Buffer;
  /** 0 = stored, 8 = deflated. */
  method: ZipMethod;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the entry's local header starts in the archive. */
  localHeaderOffset: number;
  /** The MS-DOS time and date fields. */
  dosTime: number;
  dosDate: number;
  /** Whether the local header carries a ZIP64 extra field (decided before the data is written). */
  zip64: boolean;
}

/** MS-DOS time and date of `date` (local time, 2-second resolution, years 1980–2107). */
export function dosDateTime(date: Date): { dosTime: number; dosDate: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    dosTime: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/** Whether a size or offset must go in a ZIP64 extra field. */
export const needsZip64 = (value: number): boolean => value >= ZIP64_MARKER_32;

function checkName(name: Buffer): void {
  if (name.length === 0 || name.length > 0xffff) {
    throw new RangeError(`name must be 1-65535 bytes of UTF-8, got ${name.length}`);
  }
}

/** The local file header of `entry` (CRC-32 as given; the writer patches it after the data). */
export function localFileHeader(entry: ZipEntry): Buffer {
  checkName(entry.name);
  const extra = entry.zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
  if (entry.zip64) {
    extra.writeUInt16LE(ZIP64_EXTRA_ID, 0);
    extra.writeUInt16LE(16, 2);
    extra.writeBigUInt64LE(BigInt(entry.uncompressedSize), 4);
    extra.writeBigUInt64LE(BigInt(entry.compressedSize), 12);
  }
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
  header.writeUInt16LE(entry.zip64 ? VERSION_ZIP64 : VERSION_DEFLATE, 4);
  header.writeUInt16LE(FLAG_UTF8, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(entry.dosTime, 10);
  header.writeUInt16LE(entry.dosDate, 12);
  header.writeUInt32LE(entry.crc32 >>> 0, LOCAL_HEADER_CRC_OFFSET);
  header.writeUInt32LE(entry.zip64 ? ZIP64_MARKER_32 : entry.compressedSize, 18);
  header.writeUInt32LE(entry.zip64 ? ZIP64_MARKER_32 : entry.uncompressedSize, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, entry.name, extra]);
}

/**
 * The central directory header of `entry`. Its ZIP64 extra field holds, in the APPNOTE's order, only
 * the values whose 32-bit field overflows (uncompressed size, compressed size, local header offset).
 */
export function centralDirectoryHeader(entry: ZipEntry): Buffer {
  checkName(entry.name);
  // An entry whose local header went ZIP64 keeps both sizes in the extra field here too, so the two
  // headers agree (`unzip -t` compares them).
  const wideSizes = entry.zip64 || needsZip64(entry.uncompressedSize) || needsZip64(entry.compressedSize);
  const wideOffset = needsZip64(entry.localHeaderOffset);
  const wide = [
    ...(wideSizes ? [entry.uncompressedSize, entry.compressedSize] : []),
    ...(wideOffset ? [entry.localHeaderOffset] : []),
  ];
  const extra = wide.length > 0 ? Buffer.alloc(4 + 8 * wide.length) : Buffer.alloc(0);
  if (wide.length > 0) {
    extra.writeUInt16LE(ZIP64_EXTRA_ID, 0);
    extra.writeUInt16LE(8 * wide.length, 2);
    wide.forEach((value, i) => {
      extra.writeBigUInt64LE(BigInt(value), 4 + 8 * i);
    });
  }
  const zip64 = wide.length > 0;
  const size = (value: number): number => (wideSizes ? ZIP64_MARKER_32 : value);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0);
  header.writeUInt16LE(MADE_BY_UNIX | VERSION_ZIP64, 4);
  header.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFLATE, 6);
  header.writeUInt16LE(FLAG_UTF8, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(entry.dosTime, 12);
  header.writeUInt16LE(entry.dosDate, 14);
  header.writeUInt32LE(entry.crc32 >>> 0, 16);
  header.writeUInt32LE(size(entry.compressedSize), 20);
  header.writeUInt32LE(size(entry.uncompressedSize), 24);
  header.writeUInt16LE(entry.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32); // comment length
  header.writeUInt16LE(0, 34); // disk number start
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
  header.writeUInt32LE(wideOffset ? ZIP64_MARKER_32 : entry.localHeaderOffset, 42);
  return Buffer.concat([header, entry.name, extra]);
}

/** Where the central directory lies and what it holds. */
export interface CentralDirectoryInfo {
  entryCount: number;
  /** The offset of the first central directory header. */
  offset: number;
  /** The central directory's length in bytes. */
  size: number;
  /** Write the ZIP64 end records even when nothing overflows (tests, and readers that want them). */
  forceZip64?: boolean;
}

/**
 * The end of the archive: the ZIP64 end of central directory record and its locator when a count,
 * size or offset overflows (or `forceZip64`), then the classic end of central directory record.
 */
export function endOfCentralDirectory(info: CentralDirectoryInfo): Buffer {
  const { entryCount, offset, size } = info;
  const zip64 =
    info.forceZip64 === true || entryCount >= ZIP64_MARKER_16 || needsZip64(offset) || needsZip64(size);
  const parts: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(ZIP64_END_SIGNATURE, 0);
    record.writeBigUInt64LE(44n, 4); // size of the rest of this record
    record.writeUInt16LE(MADE_BY_UNIX | VERSION_ZIP64, 12);
    record.writeUInt16LE(VERSION_ZIP64, 14);
    record.writeUInt32LE(0, 16); // this disk
    record.writeUInt32LE(0, 20); // disk with the central directory
    record.writeBigUInt64LE(BigInt(entryCount), 24);
    record.writeBigUInt64LE(BigInt(entryCount), 32);
    record.writeBigUInt64LE(BigInt(size), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(ZIP64_LOCATOR_SIGNATURE, 0);
    locator.writeUInt32LE(0, 4); // disk with the ZIP64 end record
    locator.writeBigUInt64LE(BigInt(offset + size), 8); // the ZIP64 end record follows the directory
    locator.writeUInt32LE(1, 16); // total disks
    parts.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_SIGNATURE, 0);
  const count = zip64 && entryCount >= ZIP64_MARKER_16 ? ZIP64_MARKER_16 : entryCount;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(needsZip64(size) ? ZIP64_MARKER_32 : size, 12);
  end.writeUInt32LE(needsZip64(offset) ? ZIP64_MARKER_32 : offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  parts.push(end);
  return Buffer.concat(parts);
}
