/**
 * `connection` requests: `create` (join the session; the token is checked again here, where the
 * connection really starts) and `delete` (force-disconnect another client, or leave).
 */
import { RumorHeader } from '@parley/protocol';
import { AdmissionError, admitClient } from '../access.js';
import { SignalingError } from '../errors.js';
import { type LiveConnection, ROLE_PERMISSIONS } from '../session/types.js';
import type { BoundRequestContext, HandlerResult, RequestContext } from './context.js';
import { optionalBoolean, optionalString, requirePermission } from './guards.js';

/** `create …/connection/{cid}` with header `X-TB-TOKEN-AUTH`: admit the client and answer the session state. */
export async function createConnection(context: RequestContext): Promise<HandlerResult> {
  const { client, uri, headers, message, deps } = context;
  const connectionId = uri.params.connection;
  if (client.binding) {
    throw new SignalingError('ID_TAKEN', 'This socket already has a connection');
  }
  // The connection ID is bound to the socket by CONNECT; a create for any other ID is a forgery.
  if (connectionId !== client.uniqueId) {
    throw new SignalingError('BAD_REQUEST', 'The connection ID must be the uniqueId given in CONNECT');
  }
  let admitted: Awaited<ReturnType<typeof admitClient>>;
  try {
    admitted = await admitClient(deps.store, headers[RumorHeader.TokenAuth], uri.session, deps.now());
  } catch (error) {
    if (error instanceof AdmissionError) {
      const reason = `${error.message}: ${error.detail}`;
      throw new SignalingError(error.failure === 'unknown-session' ? 'NOT_FOUND' : 'INVALID_TOKEN', reason);
    }
    throw error;
  }
  const { project, session: record, token } = admitted;
  if (uri.partner !== project.apiKey && uri.partner !== project.applicationId) {
    throw new SignalingError('INVALID_TOKEN', 'The URI names another project than the token');
  }
  if (client.gone) throw new SignalingError('NOT_CONNECTED', 'The socket closed while joining');
  const session = deps.registry.open({
    sessionId: record.sessionId,
    project: { applicationId: project.applicationId, apiKey: project.apiKey },
    mediaMode: record.mediaMode,
    e2ee: record.e2ee,
  });
  const content = message.content;
  const connection: LiveConnection = {
    id: connectionId,
    sessionId: record.sessionId,
    role: token.role,
    permissions: ROLE_PERMISSIONS[token.role],
    data: token.connectionData,
    initialLayoutClassList: token.initialLayoutClassList,
    creationTime: deps.now(),
    connectionEventsSuppressed: optionalBoolean(content, 'connectionEventsSuppressed') ?? false,
    userAgent: optionalString(content, 'userAgent', 1000) ?? '',
    state: 'connecting',
    endpoint: client,
  };
  try {
    session.addConnection(connection);
  } catch (error) {
    deps.registry.release(session);
    throw error;
  }
  client.binding = { session, connection };
  return { body: session.sessionState(connection), after: () => session.announceConnection(connection) };
}

/**
 * `delete …/connection/{cid}`: a moderator forces another client out (`forceDisconnected`); a client
 * deleting its own connection leaves (`clientDisconnected`).
 */
export function deleteConnection({ session, connection, uri }: BoundRequestContext): HandlerResult {
  const targetId = uri.params.connection;
  if (targetId === connection.id) {
    session.removeConnection(connection.id, 'clientDisconnected');
    return {};
  }
  requirePermission(connection, 'forcedisconnect', 'force a client to disconnect');
  const target = targetId === undefined ? undefined : session.connection(targetId);
  if (target?.state !== 'connected') {
    throw new SignalingError('NOT_FOUND', `Connection ${targetId} is not connected to the session`);
  }
  return { after: () => session.removeConnection(target.id, 'forceDisconnected') };
}
