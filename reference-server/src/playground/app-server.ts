/**
 * The server side of the playground plays the part of *your* application server: it holds the project's
 * credentials (the browser never does), creates sessions and lists, starts and stops archives through
 * this server's own REST API (in process, with `app.inject`, so validation, rate limits and metrics are the real ones), and
 * mints client tokens with the server SDK's token code.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ApiError } from '../http/errors.js';
import type { ProjectRecord, SessionRecord } from '../store/types.js';
import type { ArchiveStartParams } from './archive-params.js';
import type { JoinParams } from './join-params.js';
import { reissue } from './rest-errors.js';
import {
  ClientTokenMinter,
  InvalidArgumentError,
  importHmacSecret,
  OpenTokJwtAuthenticator,
} from './server-sdk.js';

/** Lifetime of playground tokens: long enough for a call, short enough not to linger. */
export const PLAYGROUND_TOKEN_TTL_SECONDS = 4 * 60 * 60;

/** What the page needs to join. */
export interface JoinGrant {
  /** The project ID (API key) the client SDK takes. */
  projectId: string;
  sessionId: string;
  token: string;
  role: JoinParams['role'];
  /** How the session carries media: only `routed` sessions can be recorded. */
  mediaMode: SessionRecord['mediaMode'];
  /** Whether this request created the session. */
  created: boolean;
}

/** A session's archives as the page shows them. */
export type ArchiveListing =
  | { available: true; archives: ArchiveSummary[] }
  | { available: false; reason: string };

/** One archive, as the REST API reports it. */
export interface ArchiveSummary {
  id: string;
  name: string | null;
  /** The REST status: `started`, `paused`, `stopped` (being processed), `available`, `failed`, … */
  status: string;
  /** Why it stopped or failed (empty while recording). */
  reason: string;
  createdAt: number;
  /** Recorded seconds (0 until it stops). */
  duration: number;
  /** Bytes (0 until it is available). */
  size: number;
  /** The signed, time-limited download link; set only while `available`. */
  url: string | null;
}

/** Acts for one project of the server. */
export class PlaygroundAppServer {
  readonly #app: FastifyInstance;
  readonly #projectId: string | null;

  /**
   * @param app The app whose REST API is called (in process).
   * @param projectId The project to use; null: the oldest active project.
   */
  constructor(app: FastifyInstance, projectId: string | null) {
    this.#app = app;
    this.#projectId = projectId;
  }

  /** Creates the session when none is given, checks it belongs to the project, and mints a token. */
  async join(params: JoinParams): Promise<JoinGrant> {
    const project = await this.project();
    let sessionId = params.sessionId;
    let mediaMode: SessionRecord['mediaMode'] = params.mediaMode;
    const created = sessionId === null;
    if (sessionId === null) sessionId = await this.#createSession(project, params.mediaMode);
    else mediaMode = (await this.#requireSession(project, sessionId, 'body.sessionId')).mediaMode;

    const minter = new ClientTokenMinter({
      project: { apiKey: project.apiKey, secret: importHmacSecret(project.apiSecret) },
    });
    let token: string;
    try {
      token = await minter.generate(sessionId, {
        role: params.role,
        data: JSON.stringify({ name: params.name }),
        // The SDK stamps `iat` with the wall clock, so the expiry is counted from the same clock.
        expireTime: Math.floor(Date.now() / 1000) + PLAYGROUND_TOKEN_TTL_SECONDS,
      });
    } catch (error) {
      if (error instanceof InvalidArgumentError) {
        throw new ApiError('INVALID_FIELD', `body.sessionId: ${error.message}`, { cause: error });
      }
      throw error;
    }
    return { projectId: project.apiKey, sessionId, token, role: params.role, mediaMode, created };
  }

  /** The session's archives, or why there are none to show. */
  async archives(sessionId: string): Promise<ArchiveListing> {
    const project = await this.project();
    await this.#requireSession(project, sessionId, 'path.sessionId');
    const query = new URLSearchParams({ sessionId, count: '50' });
    const response = await this.#rest(project, 'GET', `${archivesPath(project)}?${query}`);
    if (response.statusCode === 501) {
      return { available: false, reason: 'Recording is not available yet on this server.' };
    }
    const body = this.#expectOk(response, 'listing the archives') as { items?: Record<string, unknown>[] };
    return { available: true, archives: (body.items ?? []).map(summarize) };
  }

  /**
   * Starts a composed archive of the session with the default layout. The API's refusals are passed on
   * as they are: 404 `40421` while nobody is connected, 409 `40921` for a relayed session, 409 `40922`
   * while it already records.
   */
  async startArchive(sessionId: string, params: ArchiveStartParams): Promise<ArchiveSummary> {
    const project = await this.project();
    await this.#requireSession(project, sessionId, 'path.sessionId');
    const request = {
      sessionId,
      outputMode: 'composed',
      ...(params.name === null ? {} : { name: params.name }),
    };
    const response = await this.#rest(project, 'POST', archivesPath(project), { json: request });
    return summarize(this.#expectOk(response, 'starting the archive') as Record<string, unknown>);
  }

  /**
   * Stops an archive of the session. An archive of another session (or project) is answered as not found,
   * naming `path.archiveId`, so the playground never acts beyond the session it was asked about.
   */
  async stopArchive(sessionId: string, archiveId: string): Promise<ArchiveSummary> {
    const project = await this.project();
    await this.#requireSession(project, sessionId, 'path.sessionId');
    const path = `${archivesPath(project)}/${encodeURIComponent(archiveId)}`;
    const found = await this.#rest(project, 'GET', path);
    const archive =
      found.statusCode === 404
        ? null
        : (this.#expectOk(found, 'looking up the archive') as { sessionId?: unknown });
    if (archive?.sessionId !== sessionId) {
      throw new ApiError(
        'ARCHIVE_NOT_FOUND',
        `path.archiveId: no archive ${archiveId} of session ${sessionId} in the playground's project`,
      );
    }
    const response = await this.#rest(project, 'POST', `${path}/stop`);
    return summarize(this.#expectOk(response, 'stopping the archive') as Record<string, unknown>);
  }

  /** The project the playground acts for; refuses when it is missing or suspended. */
  async project(): Promise<ProjectRecord> {
    const { store } = this.#app.parley;
    let project: ProjectRecord | null;
    if (this.#projectId !== null) {
      project = await store.projects.get(this.#projectId);
      if (!project)
        throw new ApiError('PROJECT_NOT_FOUND', `The playground project ${this.#projectId} does not exist`);
    } else {
      const active = (await store.projects.list()).filter((candidate) => candidate.status === 'ACTIVE');
      project = active.sort((a, b) => a.createdAt - b.createdAt)[0] ?? null;
      if (!project) {
        throw new ApiError(
          'PROJECT_NOT_FOUND',
          'The server has no active project; create one with `parley projects create`',
        );
      }
    }
    if (project.status !== 'ACTIVE') {
      throw new ApiError('PROJECT_SUSPENDED', `The playground project ${project.apiKey} is suspended`);
    }
    return project;
  }

  async #createSession(project: ProjectRecord, mediaMode: JoinParams['mediaMode']): Promise<string> {
    // `p2p.preference=enabled` is a relayed session, `disabled` a routed one (as in the official SDKs).
    const form = new URLSearchParams({ 'p2p.preference': mediaMode === 'relayed' ? 'enabled' : 'disabled' });
    const response = await this.#rest(project, 'POST', '/session/create', { form: form.toString() });
    const body = this.#expectOk(response, 'creating the session') as { session_id?: unknown }[];
    const sessionId = body[0]?.session_id;
    if (typeof sessionId !== 'string')
      throw new ApiError('INTERNAL', 'Session create answered without a session ID');
    return sessionId;
  }

  /** The session, when it belongs to the project; else 404 naming `field`. */
  async #requireSession(project: ProjectRecord, sessionId: string, field: string): Promise<SessionRecord> {
    const session = await this.#app.parley.store.sessions.get(sessionId);
    if (!session || session.applicationId !== project.applicationId) {
      throw new ApiError(
        'SESSION_NOT_FOUND',
        `${field}: no session ${sessionId} in the playground's project ${project.apiKey}`,
      );
    }
    return session;
  }

  /** Calls the REST API in process with fresh project credentials (a new single-use JWT each time). */
  #rest(
    project: ProjectRecord,
    method: 'GET' | 'POST',
    url: string,
    body?: { form: string } | { json: unknown },
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    new OpenTokJwtAuthenticator(project.apiKey, importHmacSecret(project.apiSecret), 'project').apply(
      headers,
    );
    let payload: string | undefined;
    if (body && 'form' in body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = body.form;
    } else if (body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    return this.#app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  }

  /** The JSON body of a 2xx answer; any other answer is passed on as the same API error. */
  #expectOk(response: LightMyRequestResponse, doing: string): unknown {
    if (response.statusCode >= 200 && response.statusCode < 300) return response.json();
    throw reissue(response, doing);
  }
}

/** The archives collection of the project in the REST API. */
function archivesPath(project: ProjectRecord): string {
  return `/v2/project/${encodeURIComponent(project.apiKey)}/archive`;
}

function summarize(item: Record<string, unknown>): ArchiveSummary {
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  const number = (value: unknown): number =>
    typeof value === 'number' && Number.isFinite(value) ? value : 0;
  return {
    id: String(item.id ?? ''),
    name: text(item.name),
    status: String(item.status ?? 'unknown'),
    reason: typeof item.reason === 'string' ? item.reason : '',
    createdAt: number(item.createdAt),
    duration: number(item.duration),
    size: number(item.size),
    url: text(item.url),
  };
}
