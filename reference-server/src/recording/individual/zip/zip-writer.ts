/**
 * A small streaming ZIP writer for individual archives: media files are copied in chunks (never held
 * in memory) and stored uncompressed (method 0 — WebM and Matroska are already compressed), small
 * generated files such as the manifest are deflated. Each entry's local header is written first with a
 * zero CRC-32, the data is streamed after it while the CRC is computed, and the CRC is then patched in
 * place, so one pass over each input is enough and no data descriptors are needed. ZIP64 records are
 * written as soon as a size or an offset passes 4 GiB (see `zip-records.ts`).
 *
 * The archive is written to `<path>.partial` and renamed into place by {@link ZipWriter.close}, so a
 * crash never leaves a truncated ZIP under the final name.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import { crc32, deflateRawSync } from 'node:zlib';
import {
  centralDirectoryHeader,
  dosDateTime,
  endOfCentralDirectory,
  LOCAL_HEADER_CRC_OFFSET,
  localFileHeader,
  needsZip64,
  type ZipEntry,
  type ZipMethod,
} from './zip-records.js';

/** Options of {@link ZipWriter.create}. */
export interface ZipWriterOptions {
  /** Write ZIP64 headers and end records even for small archives (tests the ZIP64 path for real). */
  forceZip64?: boolean;
  /** The modification time stamped on entries. Default: now. */
  modifiedAt?: Date;
  /** The file mode of the archive. Default 0o600. */
  mode?: number;
}

/** Writes one ZIP file; see the file comment. */
export class ZipWriter {
  readonly #path: string;
  readonly #partial: string;
  readonly #handle: FileHandle;
  readonly #options: ZipWriterOptions;
  readonly #entries: ZipEntry[] = [];
  readonly #names = new Set<string>();
  #offset = 0;
  #closed = false;

  private constructor(path: string, handle: FileHandle, options: ZipWriterOptions) {
    this.#path = path;
    this.#partial = `${path}.partial`;
    this.#handle = handle;
    this.#options = options;
  }

  /** Starts writing `path` (through `<path>.partial`). */
  static async create(path: string, options: ZipWriterOptions = {}): Promise<ZipWriter> {
    const handle = await open(`${path}.partial`, 'w', options.mode ?? 0o600);
    return new ZipWriter(path, handle, options);
  }

  /** The number of bytes written so far. */
  get bytesWritten(): number {
    return this.#offset;
  }

  /** Adds the file at `sourcePath`, stored uncompressed, streamed in chunks. */
  async addFile(name: string, sourcePath: string): Promise<void> {
    const { size } = await stat(sourcePath);
    const entry = this.#begin(name, 0, size, size);
    await this.#write(localFileHeader(entry));
    let crc = 0;
    let copied = 0;
    // Read exactly the size written in the header, even if the file is still growing.
    const chunks = size > 0 ? createReadStream(sourcePath, { end: size - 1 }) : [];
    for await (const chunk of chunks) {
      const data = chunk as Buffer;
      crc = crc32(data, crc);
      copied += data.length;
      await this.#write(data);
    }
    if (copied !== size) {
      throw new Error(`${sourcePath} shrank while it was being zipped (${copied} of ${size} bytes)`);
    }
    await this.#patchCrc(entry, crc);
  }

  /** Adds `data` under `name`, deflated unless `compress` is false. */
  async addBuffer(name: string, data: Uint8Array, options: { compress?: boolean } = {}): Promise<void> {
    const compress = options.compress ?? true;
    const body = compress ? deflateRawSync(data) : Buffer.from(data);
    const entry = this.#begin(name, compress ? 8 : 0, body.length, data.length);
    entry.crc32 = crc32(data);
    await this.#write(localFileHeader(entry));
    await this.#write(body);
  }

  /** Writes the central directory and the end records, and moves the archive into place. */
  async close(): Promise<{ size: number }> {
    this.#assertOpen();
    this.#closed = true;
    try {
      const offset = this.#offset;
      const directory = Buffer.concat(this.#entries.map(centralDirectoryHeader));
      await this.#write(directory, true);
      await this.#write(
        endOfCentralDirectory({
          entryCount: this.#entries.length,
          offset,
          size: directory.length,
          ...(this.#options.forceZip64 ? { forceZip64: true } : {}),
        }),
        true,
      );
      await this.#handle.sync();
    } finally {
      await this.#handle.close();
    }
    await rename(this.#partial, this.#path);
    return { size: this.#offset };
  }

  /** Gives up: closes and removes the partial file. Idempotent. */
  async abort(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#handle.close().catch(() => undefined);
    }
    await rm(this.#partial, { force: true });
  }

  #begin(name: string, method: ZipMethod, compressedSize: number, uncompressedSize: number): ZipEntry {
    this.#assertOpen();
    if (name.startsWith('/') || name.split('/').includes('..') || name.includes('\\')) {
      throw new RangeError(`name ${JSON.stringify(name)} must be a relative path without ".." or "\\"`);
    }
    if (this.#names.has(name)) throw new RangeError(`name ${JSON.stringify(name)} is already in the ZIP`);
    this.#names.add(name);
    const entry: ZipEntry = {
      name: Buffer.from(name, 'utf8'),
      method,
      crc32: 0,
      compressedSize,
      uncompressedSize,
      localHeaderOffset: this.#offset,
      ...dosDateTime(this.#options.modifiedAt ?? new Date()),
      zip64: this.#options.forceZip64 === true || needsZip64(compressedSize) || needsZip64(uncompressedSize),
    };
    this.#entries.push(entry);
    return entry;
  }

  async #patchCrc(entry: ZipEntry, crc: number): Promise<void> {
    entry.crc32 = crc >>> 0;
    const field = Buffer.alloc(4);
    field.writeUInt32LE(entry.crc32, 0);
    await this.#handle.write(field, 0, 4, entry.localHeaderOffset + LOCAL_HEADER_CRC_OFFSET);
  }

  async #write(data: Buffer, closing = false): Promise<void> {
    if (!closing) this.#assertOpen();
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.#handle.write(
        data,
        written,
        data.length - written,
        this.#offset + written,
      );
      written += bytesWritten;
    }
    this.#offset += data.length;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('The ZIP writer is closed');
  }
}
