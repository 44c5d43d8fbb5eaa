/**
 * The files of broadcasts on disk. Each broadcast has a directory `<root>/<broadcastId>/` holding
 * `broadcast.json` (its project and when it stopped, so retention and `getHlsFile` need no database),
 * the composer's SDP files, and `hls/` with the playlist `index.m3u8` and its MPEG-TS segments (for an
 * RTMP-only broadcast the composer writes a one-segment playlist to `probe/` instead, never served: it
 * only tells the manager when ffmpeg is muxing, see `output-status.ts`).
 *
 * Serving is safe by construction: the broadcast ID must be a UUID and the file name a plain name
 * (letters, digits, `_`, `-`, one extension of `.m3u8`, `.ts`, `.m4s`, `.mp4`), so no path outside the
 * broadcast's `hls/` directory can be named, whatever the HTTP layer decoded.
 */
import { open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordingError } from '../errors.js';

/** A broadcast ID as this server issues them. */
const BROADCAST_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The file names `getHlsFile` serves (the spec's pattern). */
export const HLS_FILE_NAME = /^[A-Za-z0-9_-]{1,100}\.(m3u8|ts|m4s|mp4)$/;

/** The playlist's file name. */
export const PLAYLIST = 'index.m3u8';

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
};

/** What `broadcast.json` holds. */
export interface BroadcastDirectoryMeta {
  id: string;
  applicationId: string;
  /** When the broadcast stopped (ms since the epoch); null while it runs. */
  stoppedAt: number | null;
}

/** A file ready to be sent. */
export interface HlsFile {
  path: string;
  size: number;
  contentType: string;
  /** `no-cache` for playlists (they change); segments never change. */
  cacheControl: string;
}

/** The directory layout of one broadcast. */
export function broadcastPaths(root: string, broadcastId: string) {
  if (!BROADCAST_ID.test(broadcastId)) throw new RangeError(`not a broadcast ID: ${broadcastId}`);
  const directory = join(root, broadcastId);
  return {
    directory,
    meta: join(directory, 'broadcast.json'),
    hls: join(directory, 'hls'),
    probe: join(directory, 'probe'),
  };
}

/** Writes `broadcast.json` (atomically: a reader never sees half a file). */
export async function writeMeta(root: string, meta: BroadcastDirectoryMeta): Promise<void> {
  const path = broadcastPaths(root, meta.id).meta;
  await writeFile(`${path}.tmp`, JSON.stringify(meta));
  await rename(`${path}.tmp`, path);
}

/** Reads `broadcast.json`, or null when it is missing or unreadable. */
export async function readMeta(root: string, broadcastId: string): Promise<BroadcastDirectoryMeta | null> {
  try {
    const meta = JSON.parse(await readFile(broadcastPaths(root, broadcastId).meta, 'utf8')) as unknown;
    if (typeof meta !== 'object' || meta === null) return null;
    const { id, applicationId, stoppedAt } = meta as Record<string, unknown>;
    if (typeof id !== 'string' || typeof applicationId !== 'string') return null;
    return { id, applicationId, stoppedAt: typeof stoppedAt === 'number' ? stoppedAt : null };
  } catch {
    return null;
  }
}

/**
 * Ends a playlist: appends `#EXT-X-ENDLIST` unless it is there already (ffmpeg is told never to write
 * it, because a composer switch continues the playlist). Written to a temporary file and renamed, as
 * ffmpeg does, so a player never reads a half-written playlist. Returns false when there is no playlist.
 */
export async function endPlaylist(hlsDirectory: string): Promise<boolean> {
  const path = join(hlsDirectory, PLAYLIST);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false;
  }
  if (/^#EXT-X-ENDLIST\s*$/m.test(text)) return true;
  await writeFile(`${path}.tmp`, `${text.endsWith('\n') ? text : `${text}\n`}#EXT-X-ENDLIST\n`);
  await rename(`${path}.tmp`, path);
  return true;
}

/** Whether the playlist lists at least one segment (the HLS output is live). */
export async function playlistHasSegment(hlsDirectory: string): Promise<boolean> {
  try {
    return /^#EXTINF:/m.test(await readFile(join(hlsDirectory, PLAYLIST), 'utf8'));
  } catch {
    return false;
  }
}

/** When the playlist in `directory` was last written (ms), or null when there is none. */
export async function playlistWrittenAt(directory: string): Promise<number | null> {
  try {
    return (await stat(join(directory, PLAYLIST))).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Finds an HLS file of a broadcast. Throws `BROADCAST_NOT_FOUND` when the broadcast has no HLS output
 * on this server (or its files have expired) and `HLS_FILE_NOT_FOUND` when the file does not exist
 * (yet, or any more).
 */
export async function findHlsFile(root: string, broadcastId: string, file: string): Promise<HlsFile> {
  if (!BROADCAST_ID.test(broadcastId)) {
    throw new RecordingError('BROADCAST_NOT_FOUND', `No matching broadcast found: ${broadcastId}`);
  }
  const extension = HLS_FILE_NAME.exec(file)?.[1];
  const contentType = extension ? CONTENT_TYPES[extension] : undefined;
  if (!contentType) {
    throw new RecordingError('INVALID_FIELD', `path.file must match ${HLS_FILE_NAME.source}`);
  }
  const { hls } = broadcastPaths(root, broadcastId);
  const directory = await stat(hls).catch(() => null);
  if (!directory?.isDirectory()) {
    throw new RecordingError('BROADCAST_NOT_FOUND', `No matching broadcast found: ${broadcastId}`);
  }
  const path = join(hls, file);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    throw new RecordingError(
      'HLS_FILE_NOT_FOUND',
      `HLS file ${file} of broadcast ${broadcastId} was not found`,
    );
  }
  return {
    path,
    size: info.size,
    contentType,
    cacheControl: extension === 'm3u8' ? 'no-cache' : 'public, max-age=86400, immutable',
  };
}

/**
 * Reads a whole HLS file. Playlists are read at once (they are rewritten by rename, so an open file
 * handle always sees one complete version); segments are small (one to two seconds of video).
 */
export async function readHlsFile(file: HlsFile): Promise<Buffer> {
  const handle = await open(file.path, 'r');
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Deletes the directories of broadcasts that stopped more than `retentionMs` ago. Only directories
 * named by a broadcast ID and holding a `broadcast.json` with a stop time are touched.
 */
export async function sweepExpired(root: string, now: number, retentionMs: number): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!BROADCAST_ID.test(name)) continue;
    const meta = await readMeta(root, name);
    if (meta === null || meta.stoppedAt === null || now - meta.stoppedAt < retentionMs) continue;
    await rm(broadcastPaths(root, name).directory, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
