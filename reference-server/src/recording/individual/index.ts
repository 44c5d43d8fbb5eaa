/**
 * Individual-stream archives: the recorder writing one WebM/Matroska file per stream as received
 * (RTP → frames → streaming Matroska writer, no ffmpeg), the journal of those files, their packaging
 * into the ZIP Vonage produces (media files + `<archiveId>.json` manifest) — also after a crash, from
 * the journal and the repaired files — and the streaming ZIP writer.
 */
export {
  IndividualRecorder,
  type IndividualRecorderEvents,
  type IndividualRecorderOptions,
  MAX_INDIVIDUAL_STREAMS,
} from './individual-recorder.js';
export { individualRecording, repairIndividualFiles } from './individual-recording.js';
export {
  INDIVIDUAL_JOURNAL,
  type IndividualArchiveInfo,
  type IndividualFileEntry,
  type IndividualJournal,
  readIndividualJournal,
  recordedMs,
  writeIndividualJournal,
} from './journal.js';
export { type RepairResult, repairMatroska } from './matroska/matroska-finish.js';
export {
  type MatroskaTrack,
  MatroskaWriter,
  type MatroskaWriterOptions,
} from './matroska/matroska-writer.js';
export {
  buildManifest,
  type IndividualManifest,
  type ManifestFile,
  packageIndividual,
  packageIndividualFromJournal,
} from './package.js';
export { containerFor, StreamFile, type StreamFileOptions, type StreamTracks } from './stream-file.js';
export { ZipWriter, type ZipWriterOptions } from './zip/zip-writer.js';
