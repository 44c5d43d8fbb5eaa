/**
 * Step 1 of joining: `GET {url}/session/{sessionId}?extended=true` with the token in `X-OPENTOK-AUTH`
 * (the "anvil" call of OpenTok.js). The answer is a one-element JSON array holding either the session info
 * or an error object; failures the client should report come as HTTP 200 with an error element, and only
 * transport failures and non-2xx statuses are retried (after 0, 600 and 1200 ms, as OpenTok.js does).
 */
import type { SessionInfo } from '@parley/protocol';
import { ErrorCode, ParleyClientError, RequestTimeoutError } from '../errors.js';
import type { Logger } from '../logger.js';

/** The parts of the session info the client uses. */
export interface ClientSessionInfo {
  sessionId: string;
  partnerId: string;
  messagingUrl: string;
  symphonyAddress: string;
  iceServers: RTCIceServer[];
  /** `true` for a relayed (peer-to-peer) session. */
  relayed: boolean;
  reconnection: boolean;
  e2ee: boolean;
  /** `relayed`: use TURN relays only. */
  relayOnly: boolean;
}

/** What {@link fetchSessionInfo} needs. */
export interface SessionInfoRequest {
  apiUrl: string;
  projectId: string;
  sessionId: string;
  token: string;
  connectionId: string;
  clientVersion: string;
  fetch: typeof fetch;
  timeoutMs: number;
  retryDelaysMs: readonly number[];
  logger: Logger;
}

/** Builds the session-info URL, keeping any query string of `apiUrl`. */
export function sessionInfoUrl(apiUrl: string, sessionId: string): string {
  const url = new URL(apiUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/session/${encodeURIComponent(sessionId)}`;
  url.searchParams.set('extended', 'true');
  return url.toString();
}

/** Fetches and checks the session info; rejects with the OpenTok.js error for each failure. */
export async function fetchSessionInfo(request: SessionInfoRequest): Promise<ClientSessionInfo> {
  const url = sessionInfoUrl(request.apiUrl, request.sessionId);
  let lastFailure = 'no attempt made';
  for (const delay of request.retryDelaysMs) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    let response: Response;
    try {
      response = await request.fetch(url, {
        method: 'GET',
        headers: {
          'X-OPENTOK-AUTH': request.token,
          'X-TB-VERSION': '1',
          'X-TB-CLIENT-VERSION': request.clientVersion,
          'X-TB-CONNECTIONID': request.connectionId,
          Accept: 'application/json',
        },
        signal: AbortSignal.timeout(request.timeoutMs),
      });
    } catch (error) {
      lastFailure =
        error instanceof DOMException && error.name === 'TimeoutError'
          ? new RequestTimeoutError(ErrorCode.ConnectFailed, 'the session info request', request.timeoutMs)
              .message
          : `the session info request failed: ${error instanceof Error ? error.message : String(error)}`;
      request.logger.warn('session info request failed; retrying', { url, error: lastFailure });
      continue;
    }
    if (!response.ok) {
      lastFailure = `the session info request answered HTTP ${response.status}`;
      request.logger.warn('session info request failed; retrying', { url, status: response.status });
      continue;
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw unexpected('the session info response is not JSON');
    }
    return readSessionInfo(body, request.projectId, request.sessionId);
  }
  throw new ParleyClientError(
    ErrorCode.ConnectFailed,
    'OT_CONNECT_FAILED',
    `Could not reach the Parley server at ${request.apiUrl}: ${lastFailure}`,
  );
}

/** Checks a session-info body (exported for tests). */
export function readSessionInfo(body: unknown, projectId: string, sessionId: string): ClientSessionInfo {
  if (!Array.isArray(body) || body.length === 0)
    throw unexpected('the session info response is not a non-empty array');
  const failure = body.find((element) => isObject(element) && element.error != null) as
    | { error: { code?: unknown; errorMessage?: { message?: unknown } } }
    | undefined;
  if (failure) throw sessionInfoError(failure.error);
  const info = body[0] as Partial<SessionInfo> | undefined;
  if (!isObject(info)) throw unexpected('the session info is not an object');
  for (const field of ['session_id', 'partner_id', 'messaging_url', 'symphony_address'] as const) {
    if (typeof info[field] !== 'string' || info[field] === '') {
      throw unexpected(`the session info has no ${field}`);
    }
  }
  if (info.partner_id !== projectId) {
    throw new ParleyClientError(
      ErrorCode.AuthenticationError,
      'OT_AUTHENTICATION_ERROR',
      'The project ID does not match the token or session',
    );
  }
  if (info.session_id !== sessionId) throw unexpected('the session info is for another session');
  const properties = (isObject(info.properties) ? info.properties : {}) as Partial<SessionInfo['properties']>;
  return {
    sessionId: info.session_id as string,
    partnerId: info.partner_id,
    messagingUrl: info.messaging_url as string,
    symphonyAddress: info.symphony_address as string,
    iceServers: Array.isArray(info.ice_servers) ? (info.ice_servers as RTCIceServer[]) : [],
    relayed: properties.p2p?.preference?.value === 'enabled',
    reconnection: properties.reconnection === true,
    e2ee: properties.e2ee === true,
    relayOnly: properties.clientCandidates === 'relayed',
  };
}

function sessionInfoError(error: {
  code?: unknown;
  errorMessage?: { message?: unknown };
}): ParleyClientError {
  const message =
    typeof error.errorMessage?.message === 'string'
      ? error.errorMessage.message
      : 'The server refused the session';
  switch (String(error.code)) {
    case '400':
    case '404':
      return new ParleyClientError(ErrorCode.InvalidSessionId, 'OT_INVALID_SESSION_ID', message, {
        status: Number(error.code),
      });
    case '403':
      return new ParleyClientError(ErrorCode.AuthenticationError, 'OT_AUTHENTICATION_ERROR', message, {
        status: 403,
      });
    case '409':
      return new ParleyClientError(ErrorCode.TermsOfServiceFailure, 'OT_TERMS_OF_SERVICE_FAILURE', message, {
        status: 409,
      });
    default:
      return unexpected(message);
  }
}

function unexpected(message: string): ParleyClientError {
  return new ParleyClientError(ErrorCode.UnexpectedServerResponse, 'OT_UNEXPECTED_SERVER_RESPONSE', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
