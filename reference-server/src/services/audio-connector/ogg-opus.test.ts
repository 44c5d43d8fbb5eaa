import { describe, expect, it } from 'vitest';
import { OggOpusReader, OggOpusWriter } from './ogg-opus.js';

describe('Ogg Opus pages', () => {
  it('round-trips packets of every lacing shape, whatever the chunking', () => {
    const writer = new OggOpusWriter(7);
    const packets = [
      Buffer.alloc(0),
      Buffer.alloc(1, 1),
      Buffer.alloc(255, 2),
      Buffer.alloc(600, 3),
      Buffer.alloc(254, 4),
    ];
    const stream = Buffer.concat([
      writer.headers(2, 48_000),
      ...packets.map((packet, i) => writer.packet(packet, BigInt((i + 1) * 960), i === packets.length - 1)),
    ]);
    for (const chunkSize of [1, 7, 100, stream.length]) {
      const reader = new OggOpusReader();
      const out: Buffer[] = [];
      for (let offset = 0; offset < stream.length; offset += chunkSize) {
        out.push(...reader.push(stream.subarray(offset, offset + chunkSize)));
      }
      expect(out.map((p) => p.toString('hex'))).toEqual(packets.map((p) => p.toString('hex')));
    }
  });

  it('writes the OpusHead ffmpeg expects and numbers pages in sequence', () => {
    const writer = new OggOpusWriter(1);
    const headers = writer.headers(1, 16_000);
    expect(headers.toString('latin1', 0, 4)).toBe('OggS');
    expect(headers.readUInt8(5)).toBe(0x02); // The first page starts the stream.
    const head = headers.subarray(28, 28 + 19);
    expect(head.toString('latin1', 0, 8)).toBe('OpusHead');
    expect(head.readUInt8(9)).toBe(1);
    expect(head.readUInt32LE(12)).toBe(16_000);
    const page = writer.packet(Buffer.from([1, 2, 3]), 960n);
    expect(page.readUInt32LE(18)).toBe(2);
    expect(page.readBigInt64LE(6)).toBe(960n);
  });

  it('rejects a corrupted page and an oversized packet', () => {
    const writer = new OggOpusWriter();
    const page = writer.headers(2, 48_000);
    page[40] = (page[40] ?? 0) ^ 0xff;
    expect(() => new OggOpusReader().push(page)).toThrow('CRC');
    expect(() => new OggOpusReader().push(Buffer.from('NotOgg-and-some-more-bytes-here'))).toThrow(
      'capture pattern',
    );
    expect(() => writer.packet(Buffer.alloc(70_000), 0n)).toThrow(RangeError);
  });
});
