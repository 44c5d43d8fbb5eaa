import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  centralDirectoryHeader,
  dosDateTime,
  endOfCentralDirectory,
  localFileHeader,
  ZIP64_MARKER_16,
  ZIP64_MARKER_32,
  type ZipEntry,
} from './zip-records.js';
import { ZipWriter } from './zip-writer.js';

const run = promisify(execFile);

/** Reads a ZIP with Python's `zipfile` (an independent reader): names, sizes, methods and contents. */
async function pythonRead(
  path: string,
): Promise<Array<{ name: string; size: number; method: number; hex: string }>> {
  const script = [
    'import sys, json, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'assert z.testzip() is None',
    'print(json.dumps([{"name": i.filename, "size": i.file_size, "method": i.compress_type, "hex": z.read(i).hex()} for i in z.infolist()]))',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', script, path], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Array<{ name: string; size: number; method: number; hex: string }>;
}

const entry = (overrides: Partial<ZipEntry> = {}): ZipEntry => ({
  name: Buffer.from('stream.webm'),
  method: 0,
  crc32: 0x1234_5678,
  compressedSize: 100,
  uncompressedSize: 100,
  localHeaderOffset: 0,
  dosTime: 0,
  dosDate: 0,
  zip64: false,
  ...overrides,
});

describe('ZIP records', () => {
  it('writes a classic local header with sizes in the 32-bit fields and no extra field', () => {
    const header = localFileHeader(entry());
    expect(header.readUInt32LE(0)).toBe(0x0403_4b50);
    expect(header.readUInt16LE(4)).toBe(20);
    expect(header.readUInt32LE(18)).toBe(100);
    expect(header.readUInt16LE(28)).toBe(0);
    expect(header.subarray(30).toString()).toBe('stream.webm');
  });

  it('moves sizes of 4 GiB and more into the ZIP64 extra field of the local header', () => {
    const big = 5 * 1024 ** 3;
    const header = localFileHeader(entry({ compressedSize: big, uncompressedSize: big, zip64: true }));
    expect(header.readUInt16LE(4)).toBe(45);
    expect(header.readUInt32LE(18)).toBe(ZIP64_MARKER_32);
    expect(header.readUInt32LE(22)).toBe(ZIP64_MARKER_32);
    const extra = header.subarray(30 + 'stream.webm'.length);
    expect(extra.readUInt16LE(0)).toBe(1);
    expect(extra.readUInt16LE(2)).toBe(16);
    expect(Number(extra.readBigUInt64LE(4))).toBe(big);
    expect(Number(extra.readBigUInt64LE(12))).toBe(big);
  });

  it('puts only an overflowing offset in the central header ZIP64 extra field', () => {
    const offset = 4 * 1024 ** 3 + 7;
    const header = centralDirectoryHeader(entry({ localHeaderOffset: offset }));
    expect(header.readUInt16LE(6)).toBe(45);
    expect(header.readUInt32LE(20)).toBe(100);
    expect(header.readUInt32LE(42)).toBe(ZIP64_MARKER_32);
    const extra = header.subarray(46 + 'stream.webm'.length);
    expect(extra.readUInt16LE(2)).toBe(8);
    expect(Number(extra.readBigUInt64LE(4))).toBe(offset);
  });

  it('keeps a small central header classic', () => {
    const header = centralDirectoryHeader(entry({ localHeaderOffset: 1000 }));
    expect(header.readUInt16LE(6)).toBe(20);
    expect(header.readUInt16LE(30)).toBe(0);
    expect(header.readUInt32LE(42)).toBe(1000);
  });

  it('writes the ZIP64 end record and locator when the directory starts past 4 GiB', () => {
    const offset = 6 * 1024 ** 3;
    const end = endOfCentralDirectory({ entryCount: 3, offset, size: 300 });
    expect(end.length).toBe(56 + 20 + 22);
    expect(end.readUInt32LE(0)).toBe(0x0606_4b50);
    expect(Number(end.readBigUInt64LE(32))).toBe(3);
    expect(Number(end.readBigUInt64LE(40))).toBe(300);
    expect(Number(end.readBigUInt64LE(48))).toBe(offset);
    expect(end.readUInt32LE(56)).toBe(0x0706_4b50);
    expect(Number(end.readBigUInt64LE(64))).toBe(offset + 300);
    const classic = end.subarray(76);
    expect(classic.readUInt32LE(0)).toBe(0x0605_4b50);
    expect(classic.readUInt16LE(10)).toBe(3);
    expect(classic.readUInt32LE(16)).toBe(ZIP64_MARKER_32);
  });

  it('marks the entry count when there are 65535 entries or more', () => {
    const end = endOfCentralDirectory({ entryCount: 70_000, offset: 10, size: 10 });
    expect(Number(end.readBigUInt64LE(24))).toBe(70_000);
    expect(end.subarray(76).readUInt16LE(10)).toBe(ZIP64_MARKER_16);
  });

  it('writes only the classic end record for a small archive', () => {
    expect(endOfCentralDirectory({ entryCount: 2, offset: 10, size: 10 }).length).toBe(22);
  });

  it('encodes MS-DOS dates and rejects empty names', () => {
    expect(dosDateTime(new Date(2024, 4, 17, 13, 45, 31))).toEqual({
      dosTime: (13 << 11) | (45 << 5) | 15,
      dosDate: (44 << 9) | (5 << 5) | 17,
    });
    expect(() => localFileHeader(entry({ name: Buffer.alloc(0) }))).toThrow(/name must be/);
  });
});

describe('ZipWriter', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'parley-zip-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  const media = randomBytes(300_000);
  const manifest = Buffer.from(JSON.stringify({ files: Array.from({ length: 50 }, (_, i) => ({ i })) }));

  for (const forceZip64 of [false, true]) {
    it(`stores files, deflates buffers, and is read back by unzip and Python${forceZip64 ? ' (ZIP64)' : ''}`, async () => {
      const source = join(directory, `media-${forceZip64}.bin`);
      await writeFile(source, media);
      const empty = join(directory, `empty-${forceZip64}.bin`);
      await writeFile(empty, '');
      const path = join(directory, `archive-${forceZip64}.zip`);
      const zip = await ZipWriter.create(path, { forceZip64 });
      await zip.addFile('stream-1.webm', source);
      await zip.addFile('empty.webm', empty);
      await zip.addBuffer('manifest.json', manifest);
      const { size } = await zip.close();

      expect((await stat(path)).size).toBe(size);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      await expect(stat(`${path}.partial`)).rejects.toThrow();
      const entries = await pythonRead(path);
      expect(entries.map(({ name, size: s, method }) => ({ name, size: s, method }))).toEqual([
        { name: 'stream-1.webm', size: media.length, method: 0 },
        { name: 'empty.webm', size: 0, method: 0 },
        { name: 'manifest.json', size: manifest.length, method: 8 },
      ]);
      expect(entries[0]?.hex).toBe(media.toString('hex'));
      expect(entries[2]?.hex).toBe(manifest.toString('hex'));
      const { stdout } = await run('unzip', ['-t', path]);
      expect(stdout).toContain('No errors detected');
      const raw = await readFile(path);
      expect(raw.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(forceZip64);
    }, 30_000);
  }

  it('rejects duplicate and unsafe names, and abort removes the partial file', async () => {
    const path = join(directory, 'aborted.zip');
    const zip = await ZipWriter.create(path);
    await zip.addBuffer('a.json', Buffer.from('{}'));
    await expect(zip.addBuffer('a.json', Buffer.from('{}'))).rejects.toThrow(/already in the ZIP/);
    await expect(zip.addBuffer('../evil', Buffer.from('x'))).rejects.toThrow(/relative path/);
    await zip.abort();
    await expect(stat(`${path}.partial`)).rejects.toThrow();
    await expect(stat(path)).rejects.toThrow();
    await expect(zip.addBuffer('b.json', Buffer.from('{}'))).rejects.toThrow(/closed/);
  });
});
