/**
 * Raptor v2 messages: the JSON bodies of Rumor `MESSAGE` frames,
 * `{"method": "...", "uri": "/v2/partner/{apiKey}/session/{sessionId}/…", "content": {...}, "reason"?: "..."}`,
 * plus the Rumor header names both sides use. `reason` sits at the top level, next to `content`, on
 * `deleted` messages.
 */

/** The `Content-Type` header of every Raptor message. */
export const RAPTOR_CONTENT_TYPE = 'application/x-raptor+v2';

/** Rumor header names used by Raptor messages. */
export const RumorHeader = {
  /** Matches a request to its `STATUS` reply and an ACK to its message. */
  TransactionId: 'TRANSACTION-ID',
  /** The sender's address: its connection ID, the symphony address, or empty for a server signal. */
  FromAddress: 'X-TB-FROM-ADDRESS',
  /** The client token, on the connection-create message only. */
  TokenAuth: 'X-TB-TOKEN-AUTH',
  /** The numeric status of a `STATUS` reply (`"200"`, `"403"`, …). */
  Status: 'STATUS',
  ContentType: 'Content-Type',
  /** On `CONNECT`: the client-chosen connection ID. */
  UniqueId: 'uniqueId',
  /** On `CONNECT`: where the server should report the client's disconnection (the symphony address). */
  NotifyDisconnectAddress: 'notifyDisconnectAddress',
  /** On `DISCONNECT`: `"1"` when sent on a reconnect attempt, otherwise empty. */
  Reconnect: 'reconnect',
} as const;

/** A Raptor message as carried in a `MESSAGE` frame body. */
export interface RaptorMessage {
  /** `create`, `delete`, `update`, `signal`, `offer`, `answer`, `candidate`, `created`, `deleted`, … */
  method: string;
  /** The Raptor URI the message is about (see `parseRaptorUri`). */
  uri: string;
  /** The payload; `{}` when there is none. */
  content: Record<string, unknown>;
  /** Why something was deleted (`clientDisconnected`, `forceUnpublished`, …), on `deleted` messages. */
  reason?: string;
}

/** A body that is not a Raptor message; `message` says what is wrong. */
export class RaptorMessageError extends Error {
  override readonly name = 'RaptorMessageError';
}

/**
 * Parses the body of a `MESSAGE` frame. Throws {@link RaptorMessageError} naming the field when the body
 * is not JSON, not an object, or has a `method`/`uri` that is not a non-empty string or a `content` that
 * is not an object. A missing `content` becomes `{}`.
 */
export function parseRaptorMessage(body: string): RaptorMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new RaptorMessageError('the message body is not valid JSON');
  }
  if (!isObject(value)) throw new RaptorMessageError('the message body must be a JSON object');
  const { method, uri, content, reason } = value;
  if (typeof method !== 'string' || method === '')
    throw new RaptorMessageError('method must be a non-empty string');
  if (typeof uri !== 'string' || uri === '') throw new RaptorMessageError('uri must be a non-empty string');
  if (content !== undefined && content !== null && !isObject(content))
    throw new RaptorMessageError('content must be an object');
  if (reason !== undefined && typeof reason !== 'string')
    throw new RaptorMessageError('reason must be a string');
  const message: RaptorMessage = { method, uri, content: (content as Record<string, unknown>) ?? {} };
  if (reason !== undefined) message.reason = reason;
  return message;
}

/** Serialises a Raptor message for a `MESSAGE` frame body. */
export function serializeRaptorMessage(message: RaptorMessage): string {
  return JSON.stringify(message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
