/**
 * `GET /v2/project/{projectId}/archive/{archiveId}/download` (`downloadArchive`): serves an available
 * archive's file through the signed, time-limited link its `url` field holds. No credentials are sent:
 * the signature (checked first, in constant time, so a forged link learns nothing about which archives
 * exist) stands for them.
 *
 * The file is streamed from disk with its type, length, a suggested file name, its SHA-256 digest as
 * `ETag` and `Last-Modified`; a single `Range` is answered with `206` (or `416` outside the file), so
 * players can seek and downloads can resume. `If-Range` is honoured (a stale validator gets the whole
 * file), as RFC 9110 §13.1.5 asks.
 */
import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ArchiveFiles, StoredArchiveFile } from '../../recording/storage/index.js';
import type { ResourceModule } from '../context.js';
import { ApiError } from '../errors.js';

/** A byte range, both ends inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a `Range` header against a file of `size` bytes: null when the header is absent or should be
 * ignored (not a single well-formed byte range, or `last < first`, which RFC 9110 §14.1.1 calls
 * invalid), `'unsatisfiable'` when the range lies outside the file, else the clamped range.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

/** Whether an `If-Range` validator still names this file (strong ETag or exact `Last-Modified`). */
function ifRangeMatches(header: string | undefined, etag: string, lastModified: string): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  return value.startsWith('"') ? value === etag : value === lastModified;
}

function sendFile(request: FastifyRequest, reply: FastifyReply, archiveId: string, file: StoredArchiveFile) {
  const etag = `"${file.sha256sum}"`;
  const lastModified = new Date(Math.floor(file.modifiedAt / 1000) * 1000).toUTCString();
  reply.headers({
    'content-type': file.contentType,
    'content-disposition': `attachment; filename="${archiveId}.${file.extension}"`,
    'accept-ranges': 'bytes',
    etag,
    'last-modified': lastModified,
    // The link is a bearer credential: nothing in between should keep the file.
    'cache-control': 'private, no-store',
  });
  const ifRangeHeader = request.headers['if-range'];
  const ifRange = typeof ifRangeHeader === 'string' ? ifRangeHeader : undefined;
  const range = ifRangeMatches(ifRange, etag, lastModified)
    ? parseRange(request.headers.range, file.size)
    : null;
  if (range === 'unsatisfiable') {
    throw new ApiError(
      'RANGE_NOT_SATISFIABLE',
      `The requested range ${request.headers.range} is not satisfiable: the file has ${file.size} bytes`,
      { headers: { 'content-range': `bytes */${file.size}` } },
    );
  }
  if (range === null) {
    reply.code(200).header('content-length', String(file.size));
    return reply.send(file.size === 0 ? '' : createReadStream(file.path, { end: file.size - 1 }));
  }
  reply
    .code(206)
    .header('content-length', String(range.end - range.start + 1))
    .header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
  return reply.send(createReadStream(file.path, { start: range.start, end: range.end }));
}

/** The `downloadArchive` operation, serving files from `files`. */
export function archiveDownloadResource(files: ArchiveFiles): ResourceModule {
  return {
    name: 'archive-download',
    handlers: ({ store }) => ({
      async downloadArchive(request: FastifyRequest, reply: FastifyReply) {
        const { projectId, archiveId } = request.params as { projectId: string; archiveId: string };
        const query = request.query as { expires: number | string; signature: string };
        const check = files.verifyLink({
          projectId,
          archiveId,
          expires: Number(query.expires),
          signature: query.signature,
        });
        if (check === 'expired') {
          throw new ApiError(
            'DOWNLOAD_LINK_INVALID',
            'The download link has expired; get the archive again for a fresh url',
          );
        }
        if (check === 'invalid') {
          throw new ApiError(
            'DOWNLOAD_LINK_INVALID',
            'The download link is invalid: the signature does not match its project, archive and expires',
          );
        }
        const project = await store.projects.get(projectId);
        const archive = project ? await store.archives.get(project.applicationId, archiveId) : null;
        if (!project || !archive) {
          throw new ApiError('ARCHIVE_NOT_FOUND', `Archive ${archiveId} was not found`);
        }
        const file =
          archive.status === 'available'
            ? await files.openForDownload(project.applicationId, archiveId)
            : null;
        if (!file) {
          throw new ApiError(
            'ARCHIVE_FILE_UNAVAILABLE',
            `Archive ${archiveId} has no file available for download (its status is ${archive.status})`,
          );
        }
        return sendFile(request, reply, archiveId, file);
      },
    }),
  };
}
