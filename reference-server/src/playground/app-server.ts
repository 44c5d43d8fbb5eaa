/**
 * The server side of the playground plays the part of *your* application server: it holds the project's
 * credentials (the browser never does), creates sessions and lists archives through this server's own
 * REST API (in process, with `app.inject`, so validation, rate limits and metrics are the real ones), and
 * mints client tokens with the server SDK's token code.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ApiError, type ErrorName } from '../http/errors.js';
import type { ProjectRecord } from '../store/types.js';
import type { JoinParams } from './join-params.js';
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
  status: string;
  createdAt: number;
  duration: number;
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
    const created = sessionId === null;
    if (sessionId === null) sessionId = await this.#createSession(project, params.mediaMode);
    else await this.#requireSession(project, sessionId);

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
    return { projectId: project.apiKey, sessionId, token, role: params.role, created };
  }

  /** The session's archives, or why there are none to show. */
  async archives(sessionId: string): Promise<ArchiveListing> {
    const project = await this.project();
    await this.#requireSession(project, sessionId);
    const query = new URLSearchParams({ sessionId, count: '50' });
    const response = await this.#rest(project, 'GET', `/v2/project/${project.apiKey}/archive?${query}`);
    if (response.statusCode === 501) {
      return { available: false, reason: 'Recording is not available yet on this server.' };
    }
    const body = this.#expectOk(response, 'listing the archives') as { items?: Record<string, unknown>[] };
    return { available: true, archives: (body.items ?? []).map(summarize) };
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
    const response = await this.#rest(project, 'POST', '/session/create', form.toString());
    const body = this.#expectOk(response, 'creating the session') as { session_id?: unknown }[];
    const sessionId = body[0]?.session_id;
    if (typeof sessionId !== 'string')
      throw new ApiError('INTERNAL', 'Session create answered without a session ID');
    return sessionId;
  }

  async #requireSession(project: ProjectRecord, sessionId: string): Promise<void> {
    const session = await this.#app.parley.store.sessions.get(sessionId);
    if (!session || session.applicationId !== project.applicationId) {
      throw new ApiError(
        'SESSION_NOT_FOUND',
        `body.sessionId: no session ${sessionId} in the playground's project ${project.apiKey}`,
      );
    }
  }

  #rest(
    project: ProjectRecord,
    method: 'GET' | 'POST',
    url: string,
    form?: string,
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    new OpenTokJwtAuthenticator(project.apiKey, importHmacSecret(project.apiSecret), 'project').apply(
      headers,
    );
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return this.#app.inject({ method, url, headers, ...(form === undefined ? {} : { payload: form }) });
  }

  /** The JSON body of a 2xx answer; any other answer is passed on as the same API error. */
  #expectOk(response: LightMyRequestResponse, doing: string): unknown {
    if (response.statusCode >= 200 && response.statusCode < 300) return response.json();
    throw reissue(response, doing);
  }
}

/** Re-raises an error answer of the REST API (e.g. 429 with its `Retry-After`) as the playground's answer. */
function reissue(response: LightMyRequestResponse, doing: string): ApiError {
  let message = `${response.statusCode} while ${doing}`;
  let name: ErrorName = 'INTERNAL';
  try {
    const body = response.json() as { code?: number; message?: string };
    if (typeof body.message === 'string') message = `${body.message} (while ${doing})`;
    if (response.statusCode === 429) name = 'RATE_LIMITED';
    else if (response.statusCode === 503) name = 'NOT_READY';
    else if (response.statusCode === 403 && body.code === 40302) name = 'PROJECT_SUSPENDED';
  } catch {
    // Not JSON: keep the generic message.
  }
  const retryAfter = response.headers['retry-after'];
  return new ApiError(
    name,
    message,
    typeof retryAfter === 'string' ? { headers: { 'retry-after': retryAfter } } : {},
  );
}

function summarize(item: Record<string, unknown>): ArchiveSummary {
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  const number = (value: unknown): number =>
    typeof value === 'number' && Number.isFinite(value) ? value : 0;
  return {
    id: String(item.id ?? ''),
    name: text(item.name),
    status: String(item.status ?? 'unknown'),
    createdAt: number(item.createdAt),
    duration: number(item.duration),
    url: text(item.url),
  };
}
