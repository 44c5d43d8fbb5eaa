/**
 * Finishing a stream file: the Cues (seek index), the duration and the Segment size, written by the
 * writer when it closes and by {@link repairMatroska} for a file a crash left unfinished. The repair
 * walks the file's clusters (each written whole, with its size), cuts off a cluster the crash
 * interrupted, and finishes the file exactly as a graceful close would, so a crashed recording plays
 * and seeks like any other.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { encodeSize, float64, ID, master, readElementHeader, uint } from './ebml.js';

/** Bytes reserved in `Info` for the Duration element (2-byte ID, 1-byte size, 8-byte float). */
export const DURATION_BYTES = 11;

/** Where the parts a finished file patches are. */
export interface MatroskaLayout {
  /** The 8-byte Segment size field. */
  segmentSizeOffset: number;
  /** The first byte of the Segment's payload (cue positions are relative to it). */
  segmentDataOffset: number;
  /** The 11 bytes reserved for the Duration. */
  durationOffset: number;
}

/** A cluster a cue points at (one that starts with a video keyframe, or any in an audio-only file). */
export interface ClusterIndex {
  /** Absolute file offset of the cluster. */
  offset: number;
  timeMs: number;
  /** The track the cue names. */
  track: number;
}

/**
 * Appends the Cues at `endOffset`, writes the duration and the Segment size, and cuts the file after
 * the Cues. Returns the file's final size.
 */
export function finishMatroska(
  fd: number,
  layout: MatroskaLayout,
  clusters: readonly ClusterIndex[],
  durationMs: number,
  endOffset: number,
): number {
  const cues =
    clusters.length > 0
      ? master(
          ID.Cues,
          clusters.map((c) =>
            master(ID.CuePoint, [
              uint(ID.CueTime, c.timeMs),
              master(ID.CueTrackPositions, [
                uint(ID.CueTrack, c.track),
                uint(ID.CueClusterPosition, c.offset - layout.segmentDataOffset),
              ]),
            ]),
          ),
        )
      : Buffer.alloc(0);
  writeSync(fd, cues, 0, cues.length, endOffset);
  const end = endOffset + cues.length;
  const duration = float64(ID.Duration, durationMs);
  writeSync(fd, duration, 0, duration.length, layout.durationOffset);
  const size = encodeSize(end - layout.segmentDataOffset, 8);
  writeSync(fd, size, 0, size.length, layout.segmentSizeOffset);
  ftruncateSync(fd, end);
  return end;
}

/** What {@link repairMatroska} did. */
export interface RepairResult {
  /** `finished`: the file was already complete; `repaired`: it is now; `empty`: it holds no media. */
  outcome: 'finished' | 'repaired' | 'empty';
  /** The duration written (ms), 0 unless repaired. */
  durationMs: number;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

/** The video track number declared in a Tracks payload, or null. */
function videoTrackOf(tracks: Buffer): number | null {
  for (let offset = 0; offset < tracks.length; ) {
    const entry = readElementHeader(tracks, offset);
    if (!entry || entry.size === null) return null;
    const start = offset + entry.headerLength;
    if (entry.id === ID.TrackEntry) {
      let number = 0;
      let type = 0;
      for (let inner = start; inner < start + entry.size; ) {
        const child = readElementHeader(tracks, inner);
        if (!child || child.size === null) break;
        const value = tracks.subarray(inner + child.headerLength, inner + child.headerLength + child.size);
        if (child.id === ID.TrackNumber) number = value.readUIntBE(0, Math.min(6, value.length));
        if (child.id === ID.TrackType) type = value.readUIntBE(0, Math.min(6, value.length));
        inner += child.headerLength + child.size;
      }
      if (type === 1) return number;
    }
    offset = start + entry.size;
  }
  return null;
}

/** A cluster's timestamp, its last block's time and whether it starts with a keyframe of `track`. */
function scanCluster(
  body: Buffer,
  videoTrack: number | null,
): { timeMs: number; lastMs: number; startsWithKey: boolean } | null {
  let timeMs = 0;
  let lastMs = 0;
  let first: { track: number; key: boolean } | null = null;
  for (let offset = 0; offset < body.length; ) {
    const child = readElementHeader(body, offset);
    if (!child || child.size === null) return null;
    const payload = body.subarray(offset + child.headerLength, offset + child.headerLength + child.size);
    if (child.id === ID.Timestamp) timeMs = payload.readUIntBE(0, Math.min(6, payload.length));
    if (child.id === ID.SimpleBlock && payload.length >= 4) {
      const track = (payload[0] ?? 0) & 0x7f;
      lastMs = Math.max(lastMs, timeMs + payload.readInt16BE(1));
      first ??= { track, key: ((payload[3] ?? 0) & 0x80) !== 0 };
    }
    offset += child.headerLength + child.size;
  }
  const startsWithKey = videoTrack === null || (first?.track === videoTrack && first.key);
  return { timeMs, lastMs, startsWithKey };
}

/**
 * Finishes a stream file left unfinished (Segment size unknown): keeps every complete cluster, cuts
 * what follows the last one, and writes the Cues, the duration and the Segment size.
 */
export function repairMatroska(path: string): RepairResult {
  const fd = openSync(path, 'r+');
  try {
    const fileSize = fstatSync(fd).size;
    const head = readAt(fd, 0, Math.min(fileSize, 64 * 1024));
    const ebml = readElementHeader(head, 0);
    if (!ebml || ebml.id !== ID.EBML || ebml.size === null) return { outcome: 'empty', durationMs: 0 };
    const segmentAt = ebml.headerLength + ebml.size;
    const segment = readElementHeader(head, segmentAt);
    if (!segment || segment.id !== ID.Segment) return { outcome: 'empty', durationMs: 0 };
    if (segment.size !== null) return { outcome: 'finished', durationMs: 0 };
    const layout: MatroskaLayout = {
      segmentSizeOffset: segmentAt + 4,
      segmentDataOffset: segmentAt + segment.headerLength,
      durationOffset: -1,
    };
    let videoTrack: number | null = null;
    const clusters: ClusterIndex[] = [];
    let lastMs = -1;
    let position = layout.segmentDataOffset;
    let sawTracks = false;
    while (position < fileSize) {
      const header = readElementHeader(readAt(fd, position, 12), 0);
      if (!header || header.size === null) break;
      const end = position + header.headerLength + header.size;
      if (end > fileSize) break;
      const body = (): Buffer => readAt(fd, position + header.headerLength, header.size ?? 0);
      if (header.id === ID.Info) {
        const info = body();
        for (let offset = 0; offset < info.length; ) {
          const child = readElementHeader(info, offset);
          if (!child || child.size === null) break;
          if (child.id === ID.Void && child.headerLength + child.size === DURATION_BYTES) {
            layout.durationOffset = position + header.headerLength + offset;
          }
          offset += child.headerLength + child.size;
        }
      } else if (header.id === ID.Tracks) {
        sawTracks = true;
        videoTrack = videoTrackOf(body());
      } else if (header.id === ID.Cluster) {
        const scanned = scanCluster(body(), videoTrack);
        if (!scanned) break;
        if (scanned.startsWithKey) {
          clusters.push({ offset: position, timeMs: scanned.timeMs, track: videoTrack ?? 1 });
        }
        lastMs = Math.max(lastMs, scanned.lastMs);
      } else {
        break;
      }
      position = end;
    }
    if (!sawTracks || layout.durationOffset < 0 || lastMs < 0) return { outcome: 'empty', durationMs: 0 };
    const durationMs = lastMs + FRAME_ALLOWANCE_MS;
    finishMatroska(fd, layout, clusters, durationMs, position);
    return { outcome: 'repaired', durationMs };
  } finally {
    closeSync(fd);
  }
}

/** Added to the last frame's time for the duration (about one frame: the last frame plays too). */
export const FRAME_ALLOWANCE_MS = 20;
