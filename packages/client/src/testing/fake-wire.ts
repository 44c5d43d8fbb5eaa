/**
 * What the fake server knows of a client, and the frames it sends one: request replies (`Status` frames
 * with the transaction ID) and server messages (Raptor messages from `symphony.parley` or a peer). Kept
 * apart so the request handlers and the server plumbing build frames the same way.
 */
import {
  RAPTOR_CONTENT_TYPE,
  type RaptorMessage,
  RumorHeader,
  RumorType,
  serializeRaptorMessage,
} from '@parley/protocol';
import type { FakeTransport } from './fake-transport.js';

/** The address server messages come from. */
export const FAKE_SERVER_ADDRESS = 'symphony.parley';

/** One client of the fake server (a socket, joined once its connection create succeeded). */
export interface FakeClient {
  connectionId: string | null;
  socketId: string | null;
  transport: FakeTransport;
  data: string;
  permissions: string[];
  joined: boolean;
}

/** A stream the fake server knows: its publisher's connection ID and its stream hash. */
export interface FakeStream {
  owner: string;
  hash: Record<string, unknown>;
}

/** The connection hash of a client, as in the session state and connection events. */
export function connectionHashOf(client: FakeClient): Record<string, unknown> {
  return {
    id: client.connectionId,
    creationTime: 1,
    data: client.data,
    capablities: {},
    permissions: client.permissions,
  };
}

/** Answers a client's request with `status` (and a JSON body). */
export function replyTo(client: FakeClient, transactionId: string, status: number, body?: unknown): void {
  client.transport.deliver({
    type: RumorType.Status,
    to: [client.connectionId ?? ''],
    headers: {
      [RumorHeader.TransactionId]: transactionId,
      [RumorHeader.Status]: String(status),
      [RumorHeader.FromAddress]: FAKE_SERVER_ADDRESS,
    },
    body: body === undefined ? '' : JSON.stringify(body),
  });
}

/** Sends a Raptor message to a client, from the server or (with `from`) a peer. */
export function sendTo(client: FakeClient, message: RaptorMessage, from = FAKE_SERVER_ADDRESS): void {
  client.transport.deliver({
    type: RumorType.Message,
    to: [client.connectionId ?? ''],
    headers: {
      [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
      [RumorHeader.TransactionId]: crypto.randomUUID(),
      [RumorHeader.FromAddress]: from,
    },
    body: serializeRaptorMessage(message),
  });
}
