/** The playground's own endpoints on the server (same origin): join (session + token) and archives. */

/** What `POST /playground/api/join` grants. */
export interface JoinGrant {
  projectId: string;
  sessionId: string;
  token: string;
  role: 'publisher' | 'moderator' | 'subscriber';
  created: boolean;
}

/** The session's archives, or why recording is unavailable. */
export type ArchiveListing =
  | {
      available: true;
      archives: {
        id: string;
        name: string | null;
        status: string;
        createdAt: number;
        duration: number;
        url: string | null;
      }[];
    }
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

/** Lists the session's archives. */
export function listArchives(sessionId: string): Promise<ArchiveListing> {
  return request<ArchiveListing>(`/playground/api/sessions/${encodeURIComponent(sessionId)}/archives`);
}
