/**
 * Readers for the pre-encoded fixtures: VP8 frames from an IVF file and Opus packets from an Ogg file.
 * Both containers are simple enough to read by hand, so the suite needs no demuxer dependency.
 */

/** One encoded frame and its presentation time in seconds from the start of the file. */
export interface EncodedFrame {
  data: Buffer;
  time: number;
}

/** Thrown for a file that is not the container it should be; the message names the file and the problem. */
export class MediaFixtureError extends Error {
  override readonly name = 'MediaFixtureError';
}

/** Reads every frame of an IVF file (a 32-byte file header, then a 12-byte header per frame). */
export function readIvf(file: Buffer, name = 'IVF file'): EncodedFrame[] {
  if (file.length < 32 || file.toString('ascii', 0, 4) !== 'DKIF')
    throw new MediaFixtureError(`${name} is not an IVF file (no DKIF signature)`);
  const headerLength = file.readUInt16LE(6);
  const rate = file.readUInt32LE(16);
  const scale = file.readUInt32LE(20);
  if (rate === 0 || scale === 0) throw new MediaFixtureError(`${name} has no time base`);
  const frames: EncodedFrame[] = [];
  for (let offset = headerLength; offset + 12 <= file.length; ) {
    const size = file.readUInt32LE(offset);
    if (offset + 12 + size > file.length)
      throw new MediaFixtureError(`${name} is truncated in frame ${frames.length}`);
    const pts = Number(file.readBigUInt64LE(offset + 4));
    frames.push({ data: file.subarray(offset + 12, offset + 12 + size), time: (pts * scale) / rate });
    offset += 12 + size;
  }
  if (frames.length === 0) throw new MediaFixtureError(`${name} has no frames`);
  return frames;
}

/**
 * Reads the Opus packets of an Ogg file, skipping the `OpusHead` and `OpusTags` header packets. Packets
 * are assumed to be `frameSeconds` long each (the fixture is encoded with 20 ms frames).
 */
export function readOggOpus(file: Buffer, name = 'Ogg file', frameSeconds = 0.02): EncodedFrame[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  for (let offset = 0; offset < file.length; ) {
    if (offset + 27 > file.length || file.toString('ascii', offset, offset + 4) !== 'OggS')
      throw new MediaFixtureError(`${name} has a bad Ogg page at byte ${offset}`);
    const segments = file.readUInt8(offset + 26);
    const table = file.subarray(offset + 27, offset + 27 + segments);
    let data = offset + 27 + segments;
    for (const lacing of table) {
      pending.push(file.subarray(data, data + lacing));
      data += lacing;
      // A lacing value below 255 ends a packet; 255 continues it in the next segment (or page).
      if (lacing < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    offset = data;
  }
  const audio = packets.filter((p) => !p.subarray(0, 8).toString('ascii').startsWith('Opus'));
  if (audio.length === 0) throw new MediaFixtureError(`${name} has no Opus packets`);
  return audio.map((data, index) => ({ data, time: index * frameSeconds }));
}
