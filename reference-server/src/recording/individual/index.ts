/**
 * Individual-stream archives: the journal of per-stream files, their packaging into the ZIP Vonage
 * produces (media files + `<archiveId>.json` manifest), also from the journal alone after a crash, and
 * the streaming ZIP writer. The per-stream recorder itself is not here yet (see the package README).
 */
export {
  INDIVIDUAL_JOURNAL,
  type IndividualArchiveInfo,
  type IndividualFileEntry,
  type IndividualJournal,
  readIndividualJournal,
  recordedMs,
  writeIndividualJournal,
} from './journal.js';
export {
  buildManifest,
  type IndividualManifest,
  type ManifestFile,
  packageIndividual,
  packageIndividualFromJournal,
} from './package.js';
export { ZipWriter, type ZipWriterOptions } from './zip/zip-writer.js';
