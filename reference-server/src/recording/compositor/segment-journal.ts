/**
 * The journal of a composed archive's segments (`segments.json` in its work directory) and the step
 * that joins them into the final MP4.
 *
 * Each layout or stream change starts a new composer process writing its own fragmented MP4 segment;
 * the new one starts before the old one stops, so nothing is missed, and the join cuts the old segment
 * where the new one began (the concat demuxer's `outpoint`), so the archive's timeline matches wall
 * time; the last one is cut where it was stopped. The journal is rewritten on every change, so after a crash the segments on disk can still be
 * joined: the last segment, never stopped, is used up to its last complete fragment.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FfmpegProcess } from './ffmpeg-process.js';

/** One segment in the journal. */
export interface JournalSegment {
  /** The file name within the work directory. */
  file: string;
  /** When its composer started (ms since the epoch): its time 0. */
  startedAt: number;
  /** When its composer was stopped, or null while running (or after a crash). */
  stoppedAt: number | null;
}

const JOURNAL = 'segments.json';

/** Reads the journal of `directory` (empty when there is none). */
export async function readJournal(directory: string): Promise<JournalSegment[]> {
  try {
    return JSON.parse(await readFile(join(directory, JOURNAL), 'utf8')) as JournalSegment[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Replaces the journal atomically (write + rename), so a crash never leaves half a journal. */
export async function writeJournal(directory: string, segments: readonly JournalSegment[]): Promise<void> {
  const temporary = join(directory, `${JOURNAL}.tmp`);
  await writeFile(temporary, JSON.stringify(segments, null, 2));
  await rename(temporary, join(directory, JOURNAL));
}

/** The concat demuxer list for `segments` (each cut where the next one started). */
export function concatList(segments: readonly JournalSegment[]): string {
  const lines = ['ffconcat version 1.0'];
  segments.forEach((segment, i) => {
    lines.push(`file '${segment.file.replace(/'/g, "'\\''")}'`);
    // A segment ends where the next began, or where it was stopped (ffmpeg drains a little past the
    // stop call); a segment cut short by a crash is used to its end.
    const end = segments[i + 1]?.startedAt ?? segment.stoppedAt;
    if (end !== null) lines.push(`outpoint ${Math.max(0, (end - segment.startedAt) / 1000).toFixed(3)}`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * Joins the journal's segments that have data into `outputPath` (a regular MP4 with the index at the
 * front, `+faststart`, for progressive playback). Resolves false when there is nothing to join.
 */
export async function joinSegments(
  directory: string,
  outputPath: string,
  ffmpegPath?: string,
): Promise<boolean> {
  const segments: JournalSegment[] = [];
  for (const segment of await readJournal(directory)) {
    const size = await stat(join(directory, segment.file)).then(
      (s) => s.size,
      () => 0,
    );
    // A segment whose process died before its first fragment has only the empty moov: skip it.
    if (size > 4096) segments.push(segment);
  }
  if (segments.length === 0) return false;
  const listPath = join(directory, 'concat.txt');
  await writeFile(listPath, concatList(segments));
  const temporary = `${outputPath}.partial.mp4`;
  const process = new FfmpegProcess(
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      listPath,
      '-map',
      '0',
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      '-y',
      temporary,
    ],
    ffmpegPath ? { ffmpegPath } : {},
  );
  const exit = await process.exited();
  if (!exit.ok) throw new Error(`Joining the archive segments failed: ${exit.reason}`);
  await rename(temporary, outputPath);
  return true;
}
