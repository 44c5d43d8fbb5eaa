/**
 * How much media a fragmented MP4 holds so far, read from its box structure while ffmpeg is still
 * writing it: the composer writes `+frag_keyframe+empty_moov+default_base_moof` files (an empty `moov`,
 * then one `moof` + `mdat` pair per keyframe interval), so the end time of the last complete fragment
 * of each track is its `tfdt` (base media decode time) plus the durations in its `trun`.
 *
 * Only box headers, `moov` and `moof` boxes are read (never the media), so sampling a growing file
 * every few seconds costs next to nothing, unlike running ffprobe on it. A fragment counts once its
 * `mdat` is entirely in the file.
 */
import { type FileHandle, open } from 'node:fs/promises';

/** One track of the file. */
export interface Mp4TrackProgress {
  trackId: number;
  /** The handler type: `vide`, `soun`, … */
  handler: string;
  timescale: number;
  /** Fragments of this track that are complete in the file. */
  fragments: number;
  /** The end of the last complete fragment, in seconds (0 before the first). */
  endSeconds: number;
}

/** What a fragmented MP4 holds so far. */
export interface Mp4Progress {
  /** The video track's end when there is one, else the longest track's (seconds). */
  durationSeconds: number;
  tracks: Mp4TrackProgress[];
}

interface Box {
  type: string;
  /** Offset of the payload (after the header) and its end, relative to the buffer or file. */
  start: number;
  end: number;
}

/** The boxes directly inside `buffer[from, to)`. Stops at a truncated box. */
function childBoxes(buffer: Buffer, from: number, to: number): Box[] {
  const boxes: Box[] = [];
  let offset = from;
  while (offset + 8 <= to) {
    let size = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > to) break;
      size = Number(buffer.readBigUInt64BE(offset + 8));
      header = 16;
    } else if (size === 0) size = to - offset;
    if (size < header || offset + size > to) break;
    boxes.push({ type, start: offset + header, end: offset + size });
    offset += size;
  }
  return boxes;
}

const child = (buffer: Buffer, parent: Box, type: string): Box | undefined =>
  childBoxes(buffer, parent.start, parent.end).find((box) => box.type === type);

interface TrackInfo {
  trackId: number;
  handler: string;
  timescale: number;
  defaultSampleDuration: number;
}

/** Track IDs, handlers and timescales from `moov` (and the `trex` default durations from `mvex`). */
function readMoov(buffer: Buffer, moov: Box): Map<number, TrackInfo> {
  const tracks = new Map<number, TrackInfo>();
  for (const trak of childBoxes(buffer, moov.start, moov.end).filter((box) => box.type === 'trak')) {
    const tkhd = child(buffer, trak, 'tkhd');
    const mdia = child(buffer, trak, 'mdia');
    const mdhd = mdia && child(buffer, mdia, 'mdhd');
    const hdlr = mdia && child(buffer, mdia, 'hdlr');
    if (!tkhd || !mdhd || !hdlr) continue;
    const trackId = buffer.readUInt32BE(tkhd.start + (buffer[tkhd.start] === 1 ? 20 : 12));
    const timescale = buffer.readUInt32BE(mdhd.start + (buffer[mdhd.start] === 1 ? 20 : 12));
    const handler = buffer.toString('latin1', hdlr.start + 8, hdlr.start + 12);
    tracks.set(trackId, { trackId, handler, timescale, defaultSampleDuration: 0 });
  }
  const mvex = child(buffer, moov, 'mvex');
  for (const trex of mvex ? childBoxes(buffer, mvex.start, mvex.end) : []) {
    if (trex.type !== 'trex') continue;
    const track = tracks.get(buffer.readUInt32BE(trex.start + 4));
    if (track) track.defaultSampleDuration = buffer.readUInt32BE(trex.start + 12);
  }
  return tracks;
}

/** The decode-time span one `traf` covers: its track, start and summed sample durations. */
function readTraf(
  buffer: Buffer,
  traf: Box,
  tracks: ReadonlyMap<number, TrackInfo>,
): { trackId: number; end: number } | null {
  const tfhd = child(buffer, traf, 'tfhd');
  const tfdt = child(buffer, traf, 'tfdt');
  if (!tfhd || !tfdt) return null;
  const tfhdFlags = buffer.readUIntBE(tfhd.start + 1, 3);
  const trackId = buffer.readUInt32BE(tfhd.start + 4);
  let offset = tfhd.start + 8;
  if (tfhdFlags & 0x01) offset += 8; // base_data_offset
  if (tfhdFlags & 0x02) offset += 4; // sample_description_index
  const defaultDuration =
    tfhdFlags & 0x08 ? buffer.readUInt32BE(offset) : (tracks.get(trackId)?.defaultSampleDuration ?? 0);
  const base =
    buffer[tfdt.start] === 1
      ? Number(buffer.readBigUInt64BE(tfdt.start + 4))
      : buffer.readUInt32BE(tfdt.start + 4);
  let total = 0;
  for (const trun of childBoxes(buffer, traf.start, traf.end).filter((box) => box.type === 'trun')) {
    const flags = buffer.readUIntBE(trun.start + 1, 3);
    const count = buffer.readUInt32BE(trun.start + 4);
    let cursor = trun.start + 8;
    if (flags & 0x01) cursor += 4; // data_offset
    if (flags & 0x04) cursor += 4; // first_sample_flags
    const perSample = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length * 4;
    if (!(flags & 0x100)) {
      total += count * defaultDuration;
      continue;
    }
    for (let i = 0; i < count && cursor + 4 <= trun.end; i++, cursor += perSample) {
      total += buffer.readUInt32BE(cursor);
    }
  }
  return { trackId, end: base + total };
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/**
 * Reads how much media the fragmented MP4 at `path` holds so far (see the file comment). A file that
 * does not exist yet, or has no complete fragment, holds 0 seconds.
 */
export async function readMp4Progress(path: string): Promise<Mp4Progress> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { durationSeconds: 0, tracks: [] };
    throw error;
  }
  try {
    const { size } = await file.stat();
    let tracks = new Map<number, TrackInfo>();
    const progress = new Map<number, { fragments: number; end: number }>();
    let pendingMoof: Buffer | null = null;
    for (let offset = 0; offset + 8 <= size; ) {
      const header = await readAt(file, offset, 16);
      if (header.length < 8) break;
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      let headerSize = 8;
      if (boxSize === 1) {
        if (header.length < 16) break;
        boxSize = Number(header.readBigUInt64BE(8));
        headerSize = 16;
      } else if (boxSize === 0) boxSize = size - offset;
      if (boxSize < headerSize || offset + boxSize > size) break; // Still being written.
      if (type === 'moov' || type === 'moof') {
        const whole = await readAt(file, offset, boxSize);
        const [parsed] = childBoxes(whole, 0, whole.length);
        if (parsed && type === 'moov') tracks = readMoov(whole, parsed);
        if (parsed && type === 'moof') pendingMoof = whole;
      } else if (type === 'mdat' && pendingMoof) {
        // The fragment's media is complete: count the moof before it.
        const [moof] = childBoxes(pendingMoof, 0, pendingMoof.length);
        for (const traf of moof ? childBoxes(pendingMoof, moof.start, moof.end) : []) {
          if (traf.type !== 'traf') continue;
          const span = readTraf(pendingMoof, traf, tracks);
          if (!span) continue;
          const entry = progress.get(span.trackId) ?? { fragments: 0, end: 0 };
          entry.fragments += 1;
          entry.end = Math.max(entry.end, span.end);
          progress.set(span.trackId, entry);
        }
        pendingMoof = null;
      }
      offset += boxSize;
    }
    const result: Mp4TrackProgress[] = [...tracks.values()].map((track) => {
      const entry = progress.get(track.trackId) ?? { fragments: 0, end: 0 };
      return {
        trackId: track.trackId,
        handler: track.handler,
        timescale: track.timescale,
        fragments: entry.fragments,
        endSeconds: track.timescale > 0 ? entry.end / track.timescale : 0,
      };
    });
    const video = result.find((track) => track.handler === 'vide');
    const longest = Math.max(0, ...result.map((track) => track.endSeconds));
    return { durationSeconds: video ? video.endSeconds : longest, tracks: result };
  } finally {
    await file.close();
  }
}
