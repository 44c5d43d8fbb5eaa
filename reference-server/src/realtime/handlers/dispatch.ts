/**
 * The request pipeline of the gateway: every client `MESSAGE` is answered with one `STATUS` carrying the
 * same transaction ID. Repeats of a transaction (re-sent after a reconnect) get the cached reply and are
 * never run twice. Unknown methods on known resources get `200` and are logged, so newer clients keep
 * working; malformed messages, foreign URIs and unknown objects get an error status.
 */
import {
  parseRaptorMessage,
  parseRaptorUri,
  type RaptorMessage,
  RaptorMessageError,
  type RaptorUri,
  type RumorFrame,
  RumorHeader,
} from '@parley/protocol';
import { SignalingError } from '../errors.js';
import type { RumorClient } from '../gateway/rumor-client.js';
import type { TransactionEntry } from '../gateway/transaction-cache.js';
import { updateStreamChannel } from './channel.js';
import { createConnection, deleteConnection } from './connection.js';
import type { Handler, HandlerDeps, HandlerResult } from './context.js';
import { handleJsep } from './jsep.js';
import { updateSession } from './mute.js';
import { sendSignal } from './signal.js';
import { createStream, deleteStream, updateStream } from './stream.js';
import { createSubscriber, deleteSubscriber, updateSubscriber } from './subscriber.js';

/** Handlers by `resource#method`, for clients that created their connection. */
const ROUTES: Readonly<Record<string, Handler>> = {
  'connection#delete': deleteConnection,
  'stream#create': createStream,
  'stream#delete': deleteStream,
  'stream#update': updateStream,
  'stream#offer': handleJsep,
  'stream#answer': handleJsep,
  'stream#pranswer': handleJsep,
  'stream#candidate': handleJsep,
  'stream_channel#update': updateStreamChannel,
  'subscriber#create': createSubscriber,
  'subscriber#delete': deleteSubscriber,
  'subscriber#update': updateSubscriber,
  'subscriber#offer': handleJsep,
  'subscriber#answer': handleJsep,
  'subscriber#pranswer': handleJsep,
  'subscriber#candidate': handleJsep,
  'subscriber_channel#update': updateSubscriber,
  'signal#signal': sendSignal,
  'session#update': updateSession,
};

/** Handles one `MESSAGE` frame from a client and answers it. */
export async function handleRequest(
  client: RumorClient,
  frame: RumorFrame,
  deps: HandlerDeps,
): Promise<void> {
  const transactionId = frame.headers[RumorHeader.TransactionId];
  if (transactionId === undefined || transactionId === '') {
    client.reply(undefined, 400, { reason: 'A MESSAGE needs a TRANSACTION-ID header' });
    return;
  }
  const seen = client.transactions.get(transactionId);
  if (seen) {
    answerRepeat(client, transactionId, seen, deps);
    return;
  }
  client.transactions.begin(transactionId);
  let status = 200;
  let result: HandlerResult | undefined;
  try {
    result = await route(client, frame, deps);
  } catch (error) {
    if (error instanceof SignalingError) {
      status = error.status;
      result = { body: { reason: error.reason } };
    } else {
      deps.logger.error({ err: error, connectionId: client.uniqueId }, 'request handler failed');
      status = 500;
      result = { body: { reason: 'Internal error' } };
    }
  }
  const reply = client.reply(transactionId, status, result?.body);
  client.transactions.complete(transactionId, reply);
  if (result?.after) {
    try {
      result.after();
    } catch (error) {
      deps.logger.error({ err: error, connectionId: client.uniqueId }, 'request follow-up failed');
    }
  }
}

/**
 * A re-sent request is never run twice. It is answered again if it was answered and the reply is still
 * kept; a pending one will be answered once; one whose reply is no longer kept gets an error.
 */
function answerRepeat(
  client: RumorClient,
  transactionId: string,
  seen: TransactionEntry,
  deps: HandlerDeps,
): void {
  switch (seen.state) {
    case 'pending':
      return;
    case 'done':
      client.transactions.complete(transactionId, client.resend(seen.reply));
      return;
    case 'released': {
      // Real clients only re-send requests they have no reply for, and a reply is released once delivered
      // or when a client hoards replies, so this is rare; an error beats silence.
      deps.logger.debug(
        { transactionId, connectionId: client.uniqueId, why: seen.why },
        'repeat of a request whose reply is no longer kept',
      );
      const error = new SignalingError('REPLY_DISCARDED');
      client.reply(transactionId, error.status, { reason: error.reason });
      return;
    }
  }
}

async function route(
  client: RumorClient,
  frame: RumorFrame,
  deps: HandlerDeps,
): Promise<HandlerResult | undefined> {
  let message: RaptorMessage;
  try {
    message = parseRaptorMessage(frame.body);
  } catch (error) {
    if (error instanceof RaptorMessageError) throw new SignalingError('BAD_REQUEST', error.message);
    throw error;
  }
  const uri: RaptorUri | null = parseRaptorUri(message.uri);
  if (!uri) throw new SignalingError('BAD_REQUEST', `uri is not a Raptor URI: ${message.uri.slice(0, 200)}`);
  const key = `${uri.resource}#${message.method}`;
  const base = { client, message, uri, headers: frame.headers, deps };

  const binding = client.binding;
  if (!binding) {
    if (key === 'connection#create') return createConnection(base);
    throw new SignalingError('NOT_CONNECTED');
  }
  const { session, connection } = binding;
  if (connection.state !== 'connected') throw new SignalingError('NOT_CONNECTED', 'The connection has ended');
  if (key === 'connection#create')
    throw new SignalingError('ID_TAKEN', 'This socket already has a connection');
  if (uri.session !== session.sessionId || !isProjectOf(uri.partner, session.project)) {
    throw new SignalingError('PERMISSION_DENIED', 'The URI names another session than the connection');
  }
  const handler = ROUTES[key];
  if (!handler) {
    // Forward compatibility: newer clients send requests this server does not know yet.
    deps.logger.info(
      { method: message.method, resource: uri.resource, connectionId: connection.id },
      'unknown request acknowledged',
    );
    return {};
  }
  return handler({ ...base, session, connection });
}

function isProjectOf(partner: string, project: { apiKey: string; applicationId: string }): boolean {
  return partner === project.apiKey || partner === project.applicationId;
}
