/**
 * Test-only readers for the pre-encoded fixtures (werift has no encoder): VP8 frames from an IVF file and
 * Opus packets from an Ogg file.
 */
import { readFileSync } from 'node:fs';

/** One encoded frame and its presentation time in seconds. */
export interface EncodedFrame {
  data: Buffer;
  time: number;
}

/** Reads every frame of an IVF file (32-byte file header, then 12-byte frame headers). */
export function readIvf(path: string): EncodedFrame[] {
  const file = readFileSync(path);
  if (file.toString('ascii', 0, 4) !== 'DKIF') throw new Error(`${path} is not an IVF file`);
  const headerLength = file.readUInt16LE(6);
  const rate = file.readUInt32LE(16);
  const scale = file.readUInt32LE(20);
  const frames: EncodedFrame[] = [];
  for (let offset = headerLength; offset + 12 <= file.length; ) {
    const size = file.readUInt32LE(offset);
    const pts = Number(file.readBigUInt64LE(offset + 4));
    frames.push({ data: file.subarray(offset + 12, offset + 12 + size), time: (pts * scale) / rate });
    offset += 12 + size;
  }
  return frames;
}

/** Reads the Opus packets of an Ogg file (skipping the OpusHead and OpusTags header packets). */
export function readOggOpus(path: string, frameSeconds = 0.02): EncodedFrame[] {
  const file = readFileSync(path);
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  for (let offset = 0; offset + 27 <= file.length; ) {
    if (file.toString('ascii', offset, offset + 4) !== 'OggS') throw new Error(`${path}: bad Ogg page`);
    const segments = file.readUInt8(offset + 26);
    const table = file.subarray(offset + 27, offset + 27 + segments);
    let data = offset + 27 + segments;
    for (const lacing of table) {
      pending.push(file.subarray(data, data + lacing));
      data += lacing;
      // A lacing value below 255 ends a packet.
      if (lacing < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    offset = data;
  }
  return packets
    .filter((p) => !p.subarray(0, 8).toString('ascii').startsWith('Opus'))
    .map((data, index) => ({ data, time: index * frameSeconds }));
}
