/**
 * Sessions: rooms that clients join. A session ID never expires and sessions cannot be deleted.
 */
import { InvalidArgumentError, ParleyError } from '../core/errors.js';
import { describe } from '../core/path.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';
import type { CreatedSession, Resolution } from '../generated/types.js';

/** `routed`: media flows through the SFU (archiving, broadcasting, SIP, captions work); `relayed`: peer to peer. */
export type MediaMode = 'routed' | 'relayed';
/** `manual`: archives start through the API; `always`: the session is recorded whenever clients publish. */
export type ArchiveMode = 'manual' | 'always';

/** Options of {@link Sessions.create}. All are optional. */
export interface SessionCreateOptions {
  /** The media mode; default `routed` (as in the Vonage SDKs; the legacy `opentok` SDK defaults to relayed). */
  mediaMode?: MediaMode;
  /** Default `manual`. `always` requires a routed session. */
  archiveMode?: ArchiveMode;
  /** An IPv4 address used as a location hint for choosing the media server. */
  location?: string;
  /** End-to-end encryption of media; requires a routed session, and such sessions cannot be archived. */
  e2ee?: boolean;
  /** The name of the automatic archives (1–80 characters). Only with `archiveMode: 'always'`. */
  archiveName?: string;
  /** The resolution of the automatic archives. Only with `archiveMode: 'always'`. */
  archiveResolution?: Resolution;
}

/** A created session. */
export interface Session {
  /** The session ID to hand to clients and to mint tokens for. */
  sessionId: string;
  /** The project's numeric API key. */
  projectId: string;
  /** The project's application ID, when the server reports it. */
  applicationId: string | undefined;
  /** When the session was created, as the server's date string. */
  createDt: string;
  mediaMode: MediaMode;
  archiveMode: ArchiveMode;
  location: string | undefined;
  e2ee: boolean;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Create sessions (rooms). */
export class Sessions extends APIResource {
  /**
   * Creates a session (a room) and returns its ID. The media mode is routed unless `mediaMode:
   * 'relayed'` is given; `archiveMode: 'always'` records the session automatically whenever clients
   * publish.
   *
   * @example
   * const { sessionId } = await video.sessions.create({ archiveMode: 'always' });
   */
  async create(options: SessionCreateOptions = {}, requestOptions?: RequestOptions): Promise<Session> {
    const mediaMode = options.mediaMode ?? 'routed';
    const archiveMode = options.archiveMode ?? 'manual';
    validateCreateOptions(options, mediaMode, archiveMode);
    const created = await this._client.executor.request<CreatedSession[] | CreatedSession>(
      {
        method: 'POST',
        path: '/session/create',
        form: {
          'p2p.preference': mediaMode === 'routed' ? 'disabled' : 'enabled',
          archiveMode,
          location: options.location,
          e2ee: options.e2ee === undefined ? undefined : String(options.e2ee),
          archiveName: options.archiveName,
          archiveResolution: options.archiveResolution,
        },
      },
      requestOptions,
    );
    const session = Array.isArray(created) ? created[0] : created;
    if (!session || typeof session.session_id !== 'string') {
      throw new ParleyError('Unexpected response to POST /session/create: it holds no session_id');
    }
    return {
      sessionId: session.session_id,
      projectId: session.project_id ?? session.partner_id,
      applicationId: session.application_id,
      createDt: session.create_dt,
      mediaMode,
      archiveMode,
      location: options.location,
      e2ee: options.e2ee ?? false,
    };
  }
}

function validateCreateOptions(
  options: SessionCreateOptions,
  mediaMode: MediaMode,
  archiveMode: ArchiveMode,
): void {
  if (mediaMode !== 'routed' && mediaMode !== 'relayed') {
    throw new InvalidArgumentError(
      'options.mediaMode',
      `must be "routed" or "relayed" (got ${describe(mediaMode)})`,
    );
  }
  if (archiveMode !== 'manual' && archiveMode !== 'always') {
    throw new InvalidArgumentError(
      'options.archiveMode',
      `must be "manual" or "always" (got ${describe(archiveMode)})`,
    );
  }
  if (archiveMode === 'always' && mediaMode === 'relayed') {
    throw new InvalidArgumentError('options.archiveMode', '"always" requires mediaMode "routed"');
  }
  if (options.e2ee === true && mediaMode === 'relayed') {
    throw new InvalidArgumentError('options.e2ee', 'requires mediaMode "routed"');
  }
  if (options.location !== undefined && !IPV4.test(options.location)) {
    throw new InvalidArgumentError(
      'options.location',
      `must be an IPv4 address (got ${describe(options.location)})`,
    );
  }
  if (
    archiveMode !== 'always' &&
    (options.archiveName !== undefined || options.archiveResolution !== undefined)
  ) {
    throw new InvalidArgumentError(
      options.archiveName !== undefined ? 'options.archiveName' : 'options.archiveResolution',
      'is allowed only with archiveMode "always"',
    );
  }
}
