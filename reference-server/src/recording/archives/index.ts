/**
 * Archives: the manager that records sessions (composed MP4 or individual-stream ZIP), its collaborator
 * interfaces and the views of an archive record.
 */
export {
  ArchiveManager,
  type ArchiveManagerOptions,
  type ArchivePage,
  type ArchiveStreamsChange,
} from './archive-manager.js';
export { type ArchiveData, archiveObject, archiveStatusEvent, type IncludedStream } from './archive-view.js';
export type { ArchiveStartRequest } from './start-options.js';
export {
  type ArchiveFileResult,
  type ArchiveFileStore,
  type ArchiveLimits,
  type ArchiveLogger,
  type ArchiveOutputFile,
  type ArchiveTimers,
  DEFAULT_ARCHIVE_LIMITS,
  type IndividualRecorderLike,
  type IndividualRecorderParams,
  type IndividualRecording,
} from './types.js';
