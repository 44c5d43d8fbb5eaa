/**
 * Archives: recordings of a session, composed into one MP4 file or one file per stream.
 */
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../core/errors.js';
import { type OffsetPageParams, PagePromise } from '../core/pagination.js';
import { path, requireId } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type {
  Archive,
  ArchiveList,
  ArchiveStartParams,
  ArchiveStorage,
  ArchiveStorageParams,
  Layout,
} from '../generated/types.js';
import { assertSessionIdShape } from '../lib/session-id.js';

/** Options of {@link Archives.start}: the body of `POST …/archive` without `sessionId`. */
export type ArchiveStartOptions = Omit<ArchiveStartParams, 'sessionId'>;

/** Filter and paging of {@link Archives.list}. */
export interface ArchiveListParams extends OffsetPageParams {
  /** Only archives of this session. */
  sessionId?: string;
}

/** Which tracks of a stream a manual-mode archive or broadcast includes. */
export interface StreamTracks {
  /** Include the stream's audio; default `true`. */
  hasAudio?: boolean;
  /** Include the stream's video; default `true`. */
  hasVideo?: boolean;
}

/** An archive file being downloaded. */
export interface ArchiveDownload {
  /** `200` for the whole file, `206` for a byte range. */
  status: number;
  /** `video/mp4` (composed) or `application/zip` (individual). */
  contentType: string | undefined;
  /** The size of this response's body in bytes, when known. */
  contentLength: number | undefined;
  /** The file's bytes; pipe it somewhere or iterate it with `for await`. */
  body: Readable;
}

/** Record sessions to files. */
export class Archives extends APIResource {
  /**
   * Starts recording a session. The session must be routed and have a connected client. Without a
   * `multiArchiveTag`, a session records one archive at a time (a second start answers 409).
   */
  async start(
    sessionId: string,
    options: ArchiveStartOptions = {},
    requestOptions?: RequestOptions,
  ): Promise<Archive> {
    assertSessionIdShape(sessionId);
    return this._client.executor.request<Archive>(
      { method: 'POST', path: this.projectPath('/archive'), body: { ...options, sessionId } },
      requestOptions,
    );
  }

  /** Stops recording. Answers 409 if the archive is not recording. */
  async stop(archiveId: string, requestOptions?: RequestOptions): Promise<Archive> {
    requireId(archiveId, 'archiveId');
    return this._client.executor.request<Archive>(
      { method: 'POST', path: this.projectPath(path`/archive/${archiveId}/stop`), body: {} },
      requestOptions,
    );
  }

  /** Gets one archive, with a fresh download `url` once it is available. */
  async retrieve(archiveId: string, requestOptions?: RequestOptions): Promise<Archive> {
    requireId(archiveId, 'archiveId');
    return this._client.executor.request<Archive>(
      { method: 'GET', path: this.projectPath(path`/archive/${archiveId}`) },
      requestOptions,
    );
  }

  /**
   * Lists archives, newest first. Await it for one page, or iterate every archive with `for await`.
   *
   * @example
   * for await (const archive of video.archives.list({ sessionId })) console.log(archive.id, archive.status);
   */
  list(params: ArchiveListParams = {}, requestOptions?: RequestOptions): PagePromise<Archive> {
    const { sessionId } = params;
    return new PagePromise<Archive>(({ offset, count }) => {
      if (sessionId !== undefined) assertSessionIdShape(sessionId, 'params.sessionId');
      return this._client.executor.request<ArchiveList>(
        { method: 'GET', path: this.projectPath('/archive'), query: { offset, count, sessionId } },
        requestOptions,
      );
    }, params);
  }

  /** Deletes an archive's file. Only for archives that are `available`, `uploaded` or `deleted` (else 409). */
  async delete(archiveId: string, requestOptions?: RequestOptions): Promise<void> {
    requireId(archiveId, 'archiveId');
    await this._client.executor.request(
      { method: 'DELETE', path: this.projectPath(path`/archive/${archiveId}`) },
      requestOptions,
    );
  }

  /** Changes the layout of a composed archive while it records. */
  async setLayout(archiveId: string, layout: Layout, requestOptions?: RequestOptions): Promise<void> {
    requireId(archiveId, 'archiveId');
    await this._client.executor.request(
      { method: 'PUT', path: this.projectPath(path`/archive/${archiveId}/layout`), body: layout },
      requestOptions,
    );
  }

  /**
   * Adds a stream to an archive started with `streamMode: 'manual'` (or changes which of its tracks are
   * recorded). Answers 405 for an archive in `auto` stream mode.
   */
  async addStream(
    archiveId: string,
    streamId: string,
    tracks: StreamTracks = {},
    requestOptions?: RequestOptions,
  ): Promise<void> {
    requireId(archiveId, 'archiveId');
    requireId(streamId, 'streamId');
    assertSomeTrack(tracks);
    await this._client.executor.request(
      {
        method: 'PATCH',
        path: this.projectPath(path`/archive/${archiveId}/streams`),
        body: { addStream: streamId, hasAudio: tracks.hasAudio ?? true, hasVideo: tracks.hasVideo ?? true },
      },
      requestOptions,
    );
  }

  /** Removes a stream from an archive started with `streamMode: 'manual'`. */
  async removeStream(archiveId: string, streamId: string, requestOptions?: RequestOptions): Promise<void> {
    requireId(archiveId, 'archiveId');
    requireId(streamId, 'streamId');
    await this._client.executor.request(
      {
        method: 'PATCH',
        path: this.projectPath(path`/archive/${archiveId}/streams`),
        body: { removeStream: streamId },
      },
      requestOptions,
    );
  }

  /**
   * Downloads an available archive's file through its signed, time-limited `url` (no credentials are
   * sent). Pass the archive (from `retrieve` or `list`) or its ID, in which case it is fetched first for
   * a fresh link. `range` (`bytes=0-1048575`) fetches part of the file.
   *
   * @example
   * const download = await video.archives.download(archiveId);
   * await pipeline(download.body, createWriteStream('archive.mp4'));
   */
  async download(
    archive: Archive | string,
    options: RequestOptions & { range?: string } = {},
  ): Promise<ArchiveDownload> {
    const { range, ...requestOptions } = options;
    const current = typeof archive === 'string' ? await this.retrieve(archive, requestOptions) : archive;
    if (typeof current?.url !== 'string' || current.url === '') {
      throw new InvalidArgumentError(
        'archive',
        `has no download url (status ${current?.status}): only available archives can be downloaded`,
      );
    }
    const response = await this._client.executor.requestWithResponse(
      {
        method: 'GET',
        path: '',
        url: new URL(current.url, this._client.executor.baseUrl),
        auth: 'none',
        stream: true,
        headers: { accept: '*/*', ...(range === undefined ? {} : { range }) },
      },
      requestOptions,
    );
    const length = Number(response.headers['content-length']);
    return {
      status: response.status,
      contentType: response.headers['content-type'],
      contentLength: Number.isFinite(length) ? length : undefined,
      body: response.body as Readable,
    };
  }

  /**
   * Sets where the project's finished archives are uploaded (Amazon S3 or an S3-compatible bucket, or
   * Azure Blob Storage). The server writes a test object first and answers 400 if that fails.
   */
  async setStorage(params: ArchiveStorageParams, requestOptions?: RequestOptions): Promise<ArchiveStorage> {
    return this._client.executor.request<ArchiveStorage>(
      { method: 'PUT', path: this.projectPath('/archive/storage'), body: params },
      requestOptions,
    );
  }

  /** Removes the archive upload target: archives stay on the server again. */
  async deleteStorage(requestOptions?: RequestOptions): Promise<void> {
    await this._client.executor.request(
      { method: 'DELETE', path: this.projectPath('/archive/storage') },
      requestOptions,
    );
  }
}

/** Both tracks off would record nothing; the API rejects it, so fail early with a clear message. */
export function assertSomeTrack(tracks: StreamTracks): void {
  if (tracks.hasAudio === false && tracks.hasVideo === false) {
    throw new InvalidArgumentError(
      'tracks',
      'must include audio or video: hasAudio and hasVideo cannot both be false',
    );
  }
}
