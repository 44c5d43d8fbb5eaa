/**
 * The individual-stream recording the archive manager uses: recorders that write one file per stream
 * ({@link IndividualRecorder}), and the packaging of what a crashed recorder left on disk — each file
 * the crash interrupted is finished first (`repairMatroska`: complete clusters kept, index, duration),
 * its end is taken from its last frame, and the ZIP is written as after a graceful stop.
 */
import { join } from 'node:path';
import type { IndividualRecording } from '../archives/types.js';
import { IndividualRecorder } from './individual-recorder.js';
import { readIndividualJournal, writeIndividualJournal } from './journal.js';
import { repairMatroska } from './matroska/matroska-finish.js';
import { packageIndividual } from './package.js';

/**
 * Finishes the files of the recording in `directory` that a crash left open and records their end in
 * the journal. Resolves false when there is no journal.
 */
export async function repairIndividualFiles(directory: string): Promise<boolean> {
  const journal = await readIndividualJournal(directory);
  if (!journal) return false;
  for (const file of journal.files) {
    if (file.stoppedAt !== null) continue;
    try {
      const repaired = repairMatroska(join(directory, file.filename));
      // A file already finished (stopped just before the crash) keeps its end at its last write.
      if (repaired.outcome === 'repaired') file.stoppedAt = file.startedAt + repaired.durationMs;
    } catch {
      // A file the crash left without a readable header holds no media; the manifest leaves it out.
    }
  }
  await writeIndividualJournal(directory, journal);
  return true;
}

/** Individual-stream recording on this server; see the file comment. */
export const individualRecording: IndividualRecording = {
  create: (params) => new IndividualRecorder(params),
  async packageFromDisk(directory, outputPath) {
    if (!(await repairIndividualFiles(directory))) return false;
    const journal = await readIndividualJournal(directory);
    return journal ? packageIndividual(directory, journal, outputPath) : false;
  },
};
