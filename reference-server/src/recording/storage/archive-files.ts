/**
 * Where finished archive files go, and how they are handed out.
 *
 * - **Local store** (the default): `<directory>/<applicationId>/<archiveId>.<mp4|zip>` plus a small
 *   `<archiveId>.json` record (digest, size, type). Directories are 0700, files 0600. The file is moved
 *   in through a temporary name and renamed, and the record is written last, so a file is only ever
 *   served once it is complete.
 * - **Upload** when the project has an S3 or Azure target (`PUT …/archive/storage`): the file goes to
 *   `<apiKey>/<archiveId>/archive.<ext>`, as Vonage names it, no local copy is kept and the archive's
 *   status is `uploaded` (with no `url`). When the upload fails, the target's `fallback` decides, as the
 *   spec says: `opentok` keeps the file in the local store (`available`, the error in `reason`), `none`
 *   drops it (`failed`).
 * - **Download links**: signed and time-limited (`signed-url.ts`), served by `downloadArchive`.
 *
 * The SHA-256 digest is computed while the file is read for the move or the upload, never in a second
 * pass.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ArchiveStorageClientOptions,
  describeArchiveStorage,
  openArchiveStorage,
  putArchiveFile,
} from '../../projects/archive-storage/target.js';
import type { SecretBox } from '../../projects/secret-box.js';
import type { ProjectRecord } from '../../store/types.js';
import { RecordingError } from '../errors.js';
import {
  DEFAULT_URL_TTL_SECONDS,
  type DownloadLinkCheck,
  downloadPath,
  signDownload,
  verifyDownload,
} from './signed-url.js';

/** Options of {@link ArchiveFiles}. */
export interface ArchiveFilesOptions {
  /** The root of the local store. Created (0700) when missing. */
  directory: string;
  /** The server key that signs download links (not a project secret). */
  signingSecret: Buffer | string;
  /** The server's public base URL (`https://video.example.com`), read when a link is made. */
  baseUrl: () => string;
  /** The clock, ms since the epoch. */
  now?: () => number;
  /** How long a download link works. Default 600 (10 minutes, as Vonage). */
  urlTtlSeconds?: number;
  /** How uploads reach S3 and Azure (tests point them at local fakes). */
  storageClient?: ArchiveStorageClientOptions;
  /** Opens the sealed secrets of projects' upload targets; without it a configured target fails. */
  secrets?: SecretBox;
}

/** An archive's finished file, as handed to {@link ArchiveFiles.finalize}. */
export interface ArchiveFileInput {
  /** Where the recorder left it (it is moved away). */
  path: string;
  /** `video/mp4` or `application/zip`. */
  contentType: string;
  extension: 'mp4' | 'zip';
}

/** What became of the file; the archive manager copies it into the archive. */
export interface ArchiveFileResult {
  /** `available` (local store), `uploaded` (to the project's target) or `failed` (upload failed, fallback `none`). */
  status: 'available' | 'uploaded' | 'failed';
  /** Bytes. */
  size: number;
  /** Lowercase hex SHA-256 of the file. */
  sha256sum: string;
  /** Why the upload failed, when it did (for the archive's `reason`). */
  reason?: string;
  /** The duration is the recorder's business. */
  duration?: never;
}

/** A file in the local store, ready to be served. */
export interface StoredArchiveFile {
  path: string;
  size: number;
  /** Last modification, ms since the epoch (for `Last-Modified`). */
  modifiedAt: number;
  sha256sum: string;
  contentType: string;
  extension: 'mp4' | 'zip';
}

/** The record written beside each stored file. */
interface StoredRecord {
  sha256sum: string;
  size: number;
  contentType: string;
  extension: 'mp4' | 'zip';
}

/** IDs used as file names: UUIDs, numeric API keys; never anything with a path separator or dots. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

function checkId(field: string, value: string): void {
  if (!SAFE_ID.test(value)) {
    throw new RecordingError('INVALID_FIELD', `${field} ${JSON.stringify(value)} is not a valid ID`);
  }
}

/** A stream step that hashes and counts what passes through. */
function hashing(): { step: Transform; digest: () => { sha256sum: string; size: number } } {
  const hash = createHash('sha256');
  let size = 0;
  const step = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { step, digest: () => ({ sha256sum: hash.digest('hex'), size }) };
}

/** The archive file store; see the file comment. */
export class ArchiveFiles {
  readonly #options: ArchiveFilesOptions;
  readonly #now: () => number;

  constructor(options: ArchiveFilesOptions) {
    if (Buffer.byteLength(options.signingSecret) < 16) {
      throw new RangeError('signingSecret must be at least 16 bytes');
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Moves a finished file into the store, or uploads it to the project's target. The input file is
   * gone afterwards in every outcome but a thrown error.
   */
  async finalize(
    project: ProjectRecord,
    archiveId: string,
    file: ArchiveFileInput,
  ): Promise<ArchiveFileResult> {
    checkId('applicationId', project.applicationId);
    checkId('archiveId', archiveId);
    let uploadFailure: string | null = null;
    if (project.archiveStorage) {
      const uploaded = await this.#upload(project, archiveId, file);
      if (uploaded.ok) {
        await rm(file.path, { force: true });
        return { status: 'uploaded', size: uploaded.size, sha256sum: uploaded.sha256sum };
      }
      uploadFailure = uploaded.reason;
      if (project.archiveStorage.fallback === 'none') {
        await rm(file.path, { force: true });
        return {
          status: 'failed',
          size: uploaded.size,
          sha256sum: uploaded.sha256sum,
          reason: uploadFailure,
        };
      }
    }
    const stored = await this.#store(project.applicationId, archiveId, file);
    return {
      status: 'available',
      size: stored.size,
      sha256sum: stored.sha256sum,
      ...(uploadFailure ? { reason: uploadFailure } : {}),
    };
  }

  /**
   * A fresh signed download link for a locally stored file, or null when there is none (not stored
   * here, or uploaded). `applicationId` is the project's application ID, which the link's path uses.
   */
  downloadUrl(applicationId: string, archiveId: string): string | null {
    if (!SAFE_ID.test(applicationId) || !SAFE_ID.test(archiveId)) return null;
    if (!existsSync(this.#recordPath(applicationId, archiveId))) return null;
    const ttl = this.#options.urlTtlSeconds ?? DEFAULT_URL_TTL_SECONDS;
    const expires = Math.floor(this.#now() / 1000) + ttl;
    const signature = signDownload(this.#options.signingSecret, applicationId, archiveId, expires);
    const base = this.#options.baseUrl().replace(/\/+$/, '');
    return `${base}${downloadPath(applicationId, archiveId, expires, signature)}`;
  }

  /** Checks a link's signature (over the project ID exactly as in its path) and expiry. */
  verifyLink(link: {
    projectId: string;
    archiveId: string;
    expires: number;
    signature: string;
  }): DownloadLinkCheck {
    return verifyDownload(this.#options.signingSecret, link, Math.floor(this.#now() / 1000));
  }

  /** The stored file of an archive, or null when none is stored here. */
  async openForDownload(applicationId: string, archiveId: string): Promise<StoredArchiveFile | null> {
    if (!SAFE_ID.test(applicationId) || !SAFE_ID.test(archiveId)) return null;
    let record: StoredRecord;
    try {
      record = JSON.parse(await readFile(this.#recordPath(applicationId, archiveId), 'utf8')) as StoredRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const path = this.#filePath(applicationId, archiveId, record.extension);
    const info = await stat(path).catch(() => null);
    if (!info) return null;
    return {
      path,
      size: info.size,
      modifiedAt: info.mtimeMs,
      sha256sum: record.sha256sum,
      contentType: record.contentType,
      extension: record.extension,
    };
  }

  /** Removes an archive's stored file (no-op when there is none). Uploaded copies are the project's. */
  async delete(applicationId: string, archiveId: string): Promise<void> {
    checkId('applicationId', applicationId);
    checkId('archiveId', archiveId);
    // The record first, so a file is never served half-deleted.
    await rm(this.#recordPath(applicationId, archiveId), { force: true });
    for (const extension of ['mp4', 'zip'] as const) {
      await rm(this.#filePath(applicationId, archiveId, extension), { force: true });
    }
  }

  #projectDirectory(applicationId: string): string {
    return join(this.#options.directory, applicationId);
  }

  #filePath(applicationId: string, archiveId: string, extension: 'mp4' | 'zip'): string {
    return join(this.#projectDirectory(applicationId), `${archiveId}.${extension}`);
  }

  #recordPath(applicationId: string, archiveId: string): string {
    return join(this.#projectDirectory(applicationId), `${archiveId}.json`);
  }

  async #store(applicationId: string, archiveId: string, file: ArchiveFileInput): Promise<StoredRecord> {
    await mkdir(this.#options.directory, { recursive: true, mode: 0o700 });
    const directory = this.#projectDirectory(applicationId);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await chmod(directory, 0o700);
    const temporary = join(directory, `.${archiveId}.${randomBytes(6).toString('hex')}.tmp`);
    let digest: { sha256sum: string; size: number };
    try {
      // The file is read once either way: to hash it before a same-disk rename, or to copy it across
      // file systems while hashing.
      const hash = hashing();
      try {
        await rename(file.path, temporary);
        // Only the digest is wanted: the bytes go nowhere.
        await pipeline(
          createReadStream(temporary),
          hash.step,
          new Writable({ write: (_c, _e, done) => done() }),
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        await pipeline(createReadStream(file.path), hash.step, createWriteStream(temporary, { mode: 0o600 }));
        await rm(file.path, { force: true });
      }
      digest = hash.digest();
      await chmod(temporary, 0o600);
      await rename(temporary, this.#filePath(applicationId, archiveId, file.extension));
    } catch (error) {
      await rm(temporary, { force: true });
      throw new RecordingError('INTERNAL', `Storing the file of archive ${archiveId} failed`, {
        cause: error,
      });
    }
    const record: StoredRecord = { ...digest, contentType: file.contentType, extension: file.extension };
    const recordTemporary = `${temporary}.json`;
    await writeFile(recordTemporary, JSON.stringify(record), { mode: 0o600 });
    await rename(recordTemporary, this.#recordPath(applicationId, archiveId));
    return record;
  }

  async #upload(
    project: ProjectRecord,
    archiveId: string,
    file: ArchiveFileInput,
  ): Promise<
    | { ok: true; size: number; sha256sum: string }
    | { ok: false; size: number; sha256sum: string; reason: string }
  > {
    const stored = project.archiveStorage;
    if (!stored) throw new Error('#upload() needs an archive storage target');
    // putArchiveFile takes the whole body (S3 signs the payload digest), so the file is read into
    // memory once and hashed from there.
    const body = await readFile(file.path);
    const size = body.length;
    const sha256sum = createHash('sha256').update(body).digest('hex');
    const where = describeArchiveStorage(stored);
    if (!this.#options.secrets) {
      return {
        ok: false,
        size,
        sha256sum,
        reason: `Upload to ${where} failed: the server cannot open stored secrets`,
      };
    }
    try {
      const target = openArchiveStorage(stored, project.applicationId, this.#options.secrets);
      const key = `${project.apiKey}/${archiveId}/archive.${file.extension}`;
      const result = await putArchiveFile(
        target,
        key,
        body,
        file.contentType,
        this.#options.storageClient ?? {},
      );
      if (result.ok) return { ok: true, size, sha256sum };
      const status = result.status === null ? '' : ` (HTTP ${result.status})`;
      return { ok: false, size, sha256sum, reason: `Upload to ${where} failed: ${result.reason}${status}` };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, size, sha256sum, reason: `Upload to ${where} failed: ${message}` };
    }
  }
}
