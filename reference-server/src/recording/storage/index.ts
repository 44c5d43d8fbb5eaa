/**
 * Archive files: the local store, uploads to a project's S3/Azure target, and signed download links.
 */
export {
  type ArchiveFileInput,
  type ArchiveFileResult,
  ArchiveFiles,
  type ArchiveFilesOptions,
  type StoredArchiveFile,
} from './archive-files.js';
export {
  DEFAULT_URL_TTL_SECONDS,
  type DownloadLinkCheck,
  downloadPath,
  signDownload,
  verifyDownload,
} from './signed-url.js';
