/**
 * `signal …/signal/{id}` (to every client, the sender included) and `signal …/connection/{to}/signal/{id}`
 * (to one client). The sender's address is the connection bound to the socket, never what the client claims.
 */
import { checkSignal } from '@parley/protocol';
import { SignalingError } from '../errors.js';
import type { BoundRequestContext, HandlerResult } from './context.js';

/** Validates the signal and delivers it after the reply. */
export function sendSignal({ session, connection, uri, message }: BoundRequestContext): HandlerResult {
  if (connection.role === 'subscriber') {
    throw new SignalingError('PERMISSION_DENIED', 'A subscriber token may not send signals');
  }
  const type = message.content.type ?? '';
  const data = message.content.data ?? '';
  const problem = checkSignal(type, data);
  if (problem)
    throw new SignalingError(problem.kind === 'too-large' ? 'TOO_LARGE' : 'BAD_REQUEST', problem.message);
  const to = uri.params.connection ?? null;
  if (to !== null && session.connection(to)?.state !== 'connected') {
    throw new SignalingError('NOT_FOUND', `Connection ${to} is not connected to the session`);
  }
  const signalId = uri.params.signal ?? '';
  return { after: () => session.signal(connection, to, type as string, data as string, signalId) };
}
