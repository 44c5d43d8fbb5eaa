/**
 * A streaming Matroska / WebM writer for one recorded stream: frames go to disk as they come, one
 * cluster at a time, so a crash loses at most the cluster being filled (about a second).
 *
 * The file is playable at every cluster boundary: the Segment is written with an "unknown" size and
 * clusters with their real size, which players read to the end of the file. The duration is not known
 * while recording, so 11 bytes are reserved for it (a Void element in `Info`); {@link MatroskaWriter.close}
 * writes it, appends the Cues (seek index) and patches the Segment size — and `repairMatroska` does the
 * same for a file a crash left unfinished. A new cluster starts at each video keyframe (so every cue
 * points at one) and at least every second.
 *
 * Writes are synchronous: a cluster is tens of kilobytes going to the page cache, and a write never
 * left in flight means a stopped or killed writer leaves exactly the bytes it wrote (a crash test, or
 * the repair of a file, never races a pending write).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import {
  element,
  encodeId,
  encodeSize,
  float64,
  ID,
  int64,
  master,
  string,
  UNKNOWN_SIZE_8,
  uint,
  voidElement,
} from './ebml.js';
import {
  type ClusterIndex,
  DURATION_BYTES,
  FRAME_ALLOWANCE_MS,
  finishMatroska,
  type MatroskaLayout,
} from './matroska-finish.js';

/** One track of the file. */
export interface MatroskaTrack {
  /** 1-based, unique in the file. */
  number: number;
  kind: 'audio' | 'video';
  codecId: 'V_VP8' | 'V_MPEG4/ISO/AVC' | 'A_OPUS';
  codecPrivate?: Buffer;
  /** Video only. */
  width?: number;
  height?: number;
  /** Audio only. */
  sampleRate?: number;
  channels?: number;
  /** Opus: the decoder delay (pre-skip) and seek pre-roll, ns. */
  codecDelayNs?: number;
  seekPreRollNs?: number;
}

/** Options of {@link MatroskaWriter.create}. */
export interface MatroskaWriterOptions {
  /** `webm` for VP8/Opus files, `matroska` when a track is H.264 (not allowed in WebM). */
  docType: 'webm' | 'matroska';
  tracks: readonly MatroskaTrack[];
  /** The wall-clock time of timestamp 0 (written as the file's DateUTC). */
  startedAt: number;
  /** The writing application, e.g. `parley-reference-server`. */
  writingApp?: string;
}

/** A new cluster starts after this long even without a video keyframe (bounds what a crash loses). */
export const MAX_CLUSTER_MS = 1000;
/** Nanoseconds between 2001-01-01 (Matroska's epoch) and 1970-01-01. */
const MATROSKA_EPOCH_NS = 978_307_200_000_000_000n;

function trackEntry(track: MatroskaTrack): Buffer {
  const children = [
    uint(ID.TrackNumber, track.number),
    uint(ID.TrackUID, track.number),
    uint(ID.TrackType, track.kind === 'video' ? 1 : 2),
    uint(ID.FlagLacing, 0),
    string(ID.CodecID, track.codecId),
  ];
  if (track.codecPrivate) children.push(element(ID.CodecPrivate, track.codecPrivate));
  if (track.codecDelayNs !== undefined) children.push(uint(ID.CodecDelay, track.codecDelayNs));
  if (track.seekPreRollNs !== undefined) children.push(uint(ID.SeekPreRoll, track.seekPreRollNs));
  if (track.kind === 'video') {
    children.push(
      master(ID.Video, [uint(ID.PixelWidth, track.width ?? 0), uint(ID.PixelHeight, track.height ?? 0)]),
    );
  } else {
    children.push(
      master(ID.Audio, [
        float64(ID.SamplingFrequency, track.sampleRate ?? 48_000),
        uint(ID.Channels, track.channels ?? 2),
      ]),
    );
  }
  return master(ID.TrackEntry, children);
}

/** The cluster being filled. */
interface OpenCluster {
  timeMs: number;
  blocks: Buffer[];
  /** Whether its first block is a video keyframe (or the file has no video): a cue points at it. */
  startsWithKey: boolean;
  /** When it was opened (wall clock, ms). */
  openedAt: number;
}

/** Writes one file; see the file comment. */
export class MatroskaWriter {
  readonly #fd: number;
  readonly #layout: MatroskaLayout;
  /** The video track's number, or null in an audio-only file. */
  readonly #videoTrack: number | null;
  /** The track the cues name: the video track, else the first one. */
  readonly #cueTrack: number;
  readonly #clusters: ClusterIndex[] = [];
  #position: number;
  #cluster: OpenCluster | null = null;
  #lastTimeMs = 0;
  #open = true;

  private constructor(
    fd: number,
    layout: MatroskaLayout,
    position: number,
    tracks: readonly MatroskaTrack[],
  ) {
    this.#fd = fd;
    this.#layout = layout;
    this.#position = position;
    this.#videoTrack = tracks.find((t) => t.kind === 'video')?.number ?? null;
    this.#cueTrack = this.#videoTrack ?? tracks[0]?.number ?? 1;
  }

  /** Creates `path` and writes the header (EBML header, Segment start, Info, Tracks). */
  static create(path: string, options: MatroskaWriterOptions): MatroskaWriter {
    const header = master(ID.EBML, [
      uint(ID.EBMLVersion, 1),
      uint(ID.EBMLReadVersion, 1),
      uint(ID.EBMLMaxIDLength, 4),
      uint(ID.EBMLMaxSizeLength, 8),
      string(ID.DocType, options.docType),
      uint(ID.DocTypeVersion, 4),
      uint(ID.DocTypeReadVersion, 2),
    ]);
    const segmentStart = Buffer.concat([encodeId(ID.Segment), UNKNOWN_SIZE_8]);
    const infoHead = Buffer.concat([
      uint(ID.TimestampScale, 1_000_000),
      string(ID.MuxingApp, 'parley'),
      string(ID.WritingApp, options.writingApp ?? 'parley-reference-server'),
      int64(ID.DateUTC, BigInt(Math.round(options.startedAt)) * 1_000_000n - MATROSKA_EPOCH_NS),
    ]);
    const info = master(ID.Info, [infoHead, voidElement(DURATION_BYTES)]);
    const tracks = master(ID.Tracks, options.tracks.map(trackEntry));
    const segmentDataOffset = header.length + segmentStart.length;
    const layout: MatroskaLayout = {
      segmentSizeOffset: header.length + encodeId(ID.Segment).length,
      segmentDataOffset,
      // The Void is the last child of Info: Info's header, then its other children.
      durationOffset: segmentDataOffset + info.length - DURATION_BYTES,
    };
    const fd = openSync(path, 'w', 0o600);
    const bytes = Buffer.concat([header, segmentStart, info, tracks]);
    try {
      writeSync(fd, bytes);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return new MatroskaWriter(fd, layout, bytes.length, options.tracks);
  }

  /** Bytes on disk so far. */
  get bytesWritten(): number {
    return this.#position;
  }

  /** The time of the last frame written, ms. */
  get lastTimeMs(): number {
    return this.#lastTimeMs;
  }

  /**
   * Adds a frame. `timeMs` is from the start of the file and must not go backwards (the caller
   * interleaves its tracks); an earlier time is written as the last one.
   */
  write(trackNumber: number, timeMs: number, keyframe: boolean, data: Buffer): void {
    if (!this.#open) return;
    const time = Math.max(Math.round(timeMs), this.#lastTimeMs);
    this.#lastTimeMs = time;
    let current = this.#cluster;
    const videoKey = keyframe && trackNumber === this.#videoTrack;
    if (!current || time - current.timeMs >= MAX_CLUSTER_MS || (videoKey && current.blocks.length > 0)) {
      this.#flushCluster();
      current = {
        timeMs: time,
        blocks: [],
        startsWithKey: videoKey || this.#videoTrack === null,
        openedAt: Date.now(),
      };
      this.#cluster = current;
    }
    const head = Buffer.alloc(4);
    head[0] = 0x80 | trackNumber;
    head.writeInt16BE(time - current.timeMs, 1);
    head[3] = keyframe ? 0x80 : 0;
    const block = Buffer.concat([encodeId(ID.SimpleBlock), encodeSize(4 + data.length), head, data]);
    current.blocks.push(block);
  }

  /**
   * Writes the cluster being filled if it was opened more than {@link MAX_CLUSTER_MS} ago (wall clock):
   * a stream that went silent must not keep its last second only in memory, where a crash loses it.
   */
  flushStale(now = Date.now()): void {
    if (this.#open && this.#cluster && now - this.#cluster.openedAt > MAX_CLUSTER_MS) this.#flushCluster();
  }

  /** Writes what is buffered, the Cues, the duration and the Segment size, and closes the file. */
  close(): { durationMs: number } {
    if (!this.#open) return { durationMs: this.#lastTimeMs };
    this.#flushCluster();
    this.#open = false;
    try {
      const durationMs = this.#clusters.length > 0 ? this.#lastTimeMs + FRAME_ALLOWANCE_MS : 0;
      finishMatroska(this.#fd, this.#layout, this.#clusters, durationMs, this.#position);
      return { durationMs };
    } finally {
      closeSync(this.#fd);
    }
  }

  /** Closes the file as it is, without finishing it (what a crash leaves; `repairMatroska` finishes it). */
  abandon(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#cluster = null;
    closeSync(this.#fd);
  }

  #flushCluster(): void {
    const cluster = this.#cluster;
    this.#cluster = null;
    if (!cluster || cluster.blocks.length === 0) return;
    const timestamp = uint(ID.Timestamp, cluster.timeMs);
    const body = Buffer.concat([timestamp, ...cluster.blocks]);
    const bytes = Buffer.concat([encodeId(ID.Cluster), encodeSize(body.length), body]);
    writeSync(this.#fd, bytes, 0, bytes.length, this.#position);
    if (cluster.startsWithKey) {
      this.#clusters.push({ offset: this.#position, timeMs: cluster.timeMs, track: this.#cueTrack });
    }
    this.#position += bytes.length;
  }
}
