/**
 * The playground's own endpoints on the server (same origin): join (session + token), and the session's
 * archives (list, start, stop).
 */

/** What `POST /playground/api/join` grants. */
export interface JoinGrant {
  projectId: string;
  sessionId: string;
  token: string;
  role: 'publisher' | 'moderator' | 'subscriber';
  /** Only `routed` sessions can be recorded. */
  mediaMode: 'routed' | 'relayed';
  created: boolean;
}

/** One archive, as the REST API reports it. */
export interface ArchiveSummary {
  id: string;
  name: string | null;
  /** `started`, `paused`, `stopped` (being processed), `available`, `failed`, `uploaded`, … */
  status: string;
  reason: string;
  createdAt: number;
  duration: number;
  size: number;
  /** The signed download link, while `available`. */
  url: string | null;
}

/** The session's archives, or why recording is unavailable. */
export type ArchiveListing =
  | { available: true; archives: ArchiveSummary[] }
  | { available: false; reason: string };

/** An error answer of the playground endpoints (`{ code, message }`, as the REST API answers). */
export class PlaygroundApiError extends Error {
  override readonly name = 'PlaygroundApiError';
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch (error) {
    throw new PlaygroundApiError(0, null, `The server could not be reached (${(error as Error).message})`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: reported below with the status.
  }
  if (!response.ok) {
    const detail = body as { code?: unknown; message?: unknown } | null;
    const message = typeof detail?.message === 'string' ? detail.message : `HTTP ${response.status}`;
    throw new PlaygroundApiError(
      response.status,
      typeof detail?.code === 'number' ? detail.code : null,
      message,
    );
  }
  return body as T;
}

/** Creates (without `sessionId`) or checks a session and gets a token for `role`. */
export function join(params: {
  name: string;
  role: string;
  sessionId: string | null;
  mediaMode: string;
}): Promise<JoinGrant> {
  return request<JoinGrant>('/playground/api/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
}

const archivesPath = (sessionId: string): string =>
  `/playground/api/sessions/${encodeURIComponent(sessionId)}/archives`;

/** Lists the session's archives. */
export function listArchives(sessionId: string): Promise<ArchiveListing> {
  return request<ArchiveListing>(archivesPath(sessionId));
}

/** Starts recording the session (a composed archive with the default layout). */
export function startArchive(sessionId: string): Promise<ArchiveSummary> {
  return request<ArchiveSummary>(archivesPath(sessionId), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
}

/** Stops an archive of the session. */
export function stopArchive(sessionId: string, archiveId: string): Promise<ArchiveSummary> {
  return request<ArchiveSummary>(`${archivesPath(sessionId)}/${encodeURIComponent(archiveId)}/stop`, {
    method: 'POST',
  });
}
