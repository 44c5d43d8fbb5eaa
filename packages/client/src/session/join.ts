/**
 * Joining a session, as OpenTok.js does: session info over HTTP, then the signaling socket (`CONNECT`,
 * `SUBSCRIBE`), then the connection create with the token, answered with the session state (the
 * connections, streams and archives already there).
 */
import { buildRaptorUri, type RaptorMessage, sessionTopic } from '@parley/protocol';
import {
  ConnectionLostError,
  ErrorCode,
  ParleyClientError,
  RequestRefusedError,
  RequestTimeoutError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResolvedSessionOptions } from '../options.js';
import { RaptorChannel } from '../signaling/raptor-channel.js';
import { RumorSocket } from '../signaling/rumor-socket.js';
import { type ClientSessionInfo, fetchSessionInfo } from '../signaling/session-info.js';

/** The client version sent to the server. */
export const CLIENT_VERSION = 'parley-js-0.1.0';

/** The session state of the connection-create reply. */
export interface SessionState {
  connection: Record<string, unknown>[];
  stream: Record<string, unknown>[];
  archive: Record<string, unknown>[];
}

/** A joined session's signaling. */
export interface Joined {
  info: ClientSessionInfo;
  socket: RumorSocket;
  channel: RaptorChannel;
  state: SessionState;
}

/** What {@link join} needs. */
export interface JoinRequest {
  options: ResolvedSessionOptions;
  projectId: string;
  sessionId: string;
  token: string;
  connectionId: string;
  logger: Logger;
  newId: () => string;
  /** Receives server messages from the moment the socket opens (none may be missed). */
  onMessage: (message: RaptorMessage, from: string) => void;
}

/** Joins; rejects with `OT_*` errors (1004, 1005, 1006, 1008, 1026, 1027, 2001). */
export async function join(request: JoinRequest): Promise<Joined> {
  const { options, logger } = request;
  const info = await fetchSessionInfo({
    apiUrl: options.url,
    projectId: request.projectId,
    sessionId: request.sessionId,
    token: request.token,
    connectionId: request.connectionId,
    clientVersion: CLIENT_VERSION,
    fetch: options.fetch,
    timeoutMs: options.requestTimeoutMs,
    retryDelaysMs: options.sessionInfoRetryDelaysMs,
    logger,
  });
  const socket = new RumorSocket({
    url: info.messagingUrl,
    connectionId: request.connectionId,
    symphonyAddress: info.symphonyAddress,
    topic: sessionTopic(info.partnerId, info.sessionId),
    reconnection: info.reconnection,
    transportFactory: options.transportFactory,
    reconnectPolicy: options.reconnectPolicy,
    timers: {
      pingIntervalMs: options.pingIntervalMs,
      disconnectThresholdMs: info.reconnection ? 5900 : 49_900,
      connectTimeoutMs: options.connectTimeoutMs,
    },
    logger: logger.child('rumor'),
    newId: request.newId,
    now: () => Date.now(),
  });
  const channel = new RaptorChannel({
    socket,
    symphonyAddress: info.symphonyAddress,
    connectionId: request.connectionId,
    defaultTimeoutMs: options.requestTimeoutMs,
    logger: logger.child('raptor'),
    newId: request.newId,
  });
  channel.on('message', request.onMessage);
  try {
    await socket.open();
  } catch (error) {
    throw new ParleyClientError(
      ErrorCode.ConnectFailed,
      'OT_CONNECT_FAILED',
      `Could not open the signaling connection to ${info.messagingUrl}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    const reply = await channel.request(
      {
        method: 'create',
        uri: buildRaptorUri(info.partnerId, info.sessionId, ['connection', request.connectionId]),
        content: {
          userAgent: typeof navigator === 'undefined' ? CLIENT_VERSION : navigator.userAgent,
          clientVersion: CLIENT_VERSION,
          capabilities: info.e2ee ? ['forceMute', 'e2ee'] : ['forceMute'],
        },
      },
      {
        headers: { 'X-TB-TOKEN-AUTH': request.token },
        onTimeout: (ms) => new RequestTimeoutError(ErrorCode.ConnectionTimeout, 'joining the session', ms),
      },
    );
    return { info, socket, channel, state: readState(reply.body) };
  } catch (error) {
    socket.disconnect();
    throw connectError(error);
  }
}

function readState(body: Record<string, unknown> | null): SessionState {
  const list = (value: unknown): Record<string, unknown>[] =>
    Array.isArray(value) ? value.filter((item) => typeof item === 'object' && item !== null) : [];
  if (!body || !Array.isArray(body.stream)) {
    throw new ParleyClientError(
      ErrorCode.UnexpectedServerResponse,
      'OT_UNEXPECTED_SERVER_RESPONSE',
      'the connection-create reply has no session state',
    );
  }
  return {
    connection: list(body.connection),
    stream: list(body.stream),
    archive: list(body.archive ?? body.archives),
  };
}

function connectError(error: unknown): ParleyClientError {
  if (error instanceof ParleyClientError) return error;
  if (error instanceof RequestRefusedError) {
    if (error.reason === 'connectionLimitExceeded') {
      return new ParleyClientError(
        ErrorCode.ConnectionLimitExceeded,
        'OT_CONNECTION_LIMIT_EXCEEDED',
        'The session has reached its connection limit',
        { status: error.status, cause: error },
      );
    }
    const authentication = error.status === 403;
    return new ParleyClientError(
      authentication ? ErrorCode.AuthenticationError : ErrorCode.ConnectFailed,
      authentication ? 'OT_AUTHENTICATION_ERROR' : 'OT_CONNECT_FAILED',
      `The server refused the connection: ${error.message}`,
      { status: error.status, cause: error },
    );
  }
  const lost = error instanceof ConnectionLostError;
  return new ParleyClientError(
    ErrorCode.ConnectFailed,
    'OT_CONNECT_FAILED',
    lost ? 'The signaling connection closed while joining' : `Joining failed: ${String(error)}`,
    { cause: error },
  );
}
