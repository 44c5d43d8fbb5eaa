/**
 * The journal of an individual archive (`individual.json` in its work directory): which archive it
 * is, when recording started, and every per-stream file with the time its recording started and
 * stopped. It is rewritten atomically on every change, so after a crash the files on disk can still be
 * packaged: a file never marked stopped is taken to end at its last write (its modification time; the
 * Matroska muxer writes a cluster at least every second).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The name of the journal file in a work directory. */
export const INDIVIDUAL_JOURNAL = 'individual.json';

/** The archive an individual recording belongs to (the manifest's top-level fields). */
export interface IndividualArchiveInfo {
  id: string;
  name: string | null;
  sessionId: string;
  /** The archive's `createdAt` (ms since the epoch). */
  createdAt: number;
}

/** One per-stream media file. */
export interface IndividualFileEntry {
  streamId: string;
  connectionId: string;
  /** The publishing connection's data (from its token), `''` when none. */
  connectionData: string;
  videoType: 'camera' | 'screen' | 'custom';
  /** The file name within the work directory (and the ZIP). */
  filename: string;
  hasAudio: boolean;
  hasVideo: boolean;
  /** When its ffmpeg started (ms since the epoch). */
  startedAt: number;
  /** When it was stopped, or null while recording (or after a crash). */
  stoppedAt: number | null;
}

/** The whole journal. */
export interface IndividualJournal {
  archive: IndividualArchiveInfo;
  /** When the recorder started: time 0 of the manifest's offsets. */
  startedAt: number;
  files: IndividualFileEntry[];
}

/** Reads the journal of `directory`, or null when there is none. */
export async function readIndividualJournal(directory: string): Promise<IndividualJournal | null> {
  try {
    return JSON.parse(await readFile(join(directory, INDIVIDUAL_JOURNAL), 'utf8')) as IndividualJournal;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Replaces the journal atomically (write + rename), so a crash never leaves half a journal. */
export async function writeIndividualJournal(directory: string, journal: IndividualJournal): Promise<void> {
  const temporary = join(directory, `${INDIVIDUAL_JOURNAL}.tmp`);
  await writeFile(temporary, JSON.stringify(journal, null, 2));
  await rename(temporary, join(directory, INDIVIDUAL_JOURNAL));
}

/** The time covered by at least one file (ms): the union of the files' intervals. */
export function recordedMs(
  files: readonly Pick<IndividualFileEntry, 'startedAt' | 'stoppedAt'>[],
  now: number,
): number {
  const intervals = files
    .map((f) => [f.startedAt, f.stoppedAt ?? now] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let coveredUntil = Number.NEGATIVE_INFINITY;
  for (const [start, end] of intervals) {
    if (end <= coveredUntil) continue;
    total += end - Math.max(start, coveredUntil);
    coveredUntil = end;
  }
  return total;
}
