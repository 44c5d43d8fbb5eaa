/**
 * Raptor requests and messages over a {@link RumorSocket}: each request is a `MESSAGE` with a fresh
 * `TRANSACTION-ID`, settled by the server's `STATUS` with the same ID (a status whose first digit is not
 * `2` is a refusal, its `reason` the message) or by a timeout. Requests made while the socket is
 * reconnecting are queued, and requests still unanswered when it dropped are re-sent with their original
 * IDs once it is back (the gateway answers repeats from its reply cache, so nothing happens twice).
 */
import { TypedEmitter } from '@parley/events';
import {
  parseRaptorMessage,
  RAPTOR_CONTENT_TYPE,
  type RaptorMessage,
  type RumorFrame,
  RumorHeader,
  RumorType,
  serializeRaptorMessage,
} from '@parley/protocol';
import { ConnectionLostError, RequestRefusedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RumorSocket } from './rumor-socket.js';

/** A successful reply. */
export interface RaptorReply {
  /** The `STATUS` header (`200`, …). */
  status: number;
  /** The parsed JSON body, or `null` when it was empty or not JSON. */
  body: Record<string, unknown> | null;
}

/** Per-request options. */
export interface RaptorRequestOptions {
  /** Extra Rumor headers (`X-TB-TOKEN-AUTH` on connection create). */
  headers?: Record<string, string>;
  /** Overrides the channel's default timeout, in ms. */
  timeoutMs?: number;
  /** Fail at once instead of queueing while the socket is reconnecting. */
  failWhileReconnecting?: boolean;
  /** Called when the timeout fires; returns the error to reject with. */
  onTimeout: (timeoutMs: number) => Error;
}

/** Events of a {@link RaptorChannel}. */
export type RaptorChannelEvents = {
  /** A server message, with the frame's `X-TB-FROM-ADDRESS` (empty for server-originated signals). */
  message: [message: RaptorMessage, from: string];
};

interface Pending {
  frame: RumorFrame;
  timeoutMs: number;
  onTimeout: (timeoutMs: number) => Error;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve: (reply: RaptorReply) => void;
  reject: (error: Error) => void;
}

/** Request/response and message dispatch for one connection. */
export class RaptorChannel extends TypedEmitter<RaptorChannelEvents> {
  readonly #socket: RumorSocket;
  readonly #symphonyAddress: string;
  readonly #connectionId: string;
  readonly #defaultTimeoutMs: number;
  readonly #logger: Logger;
  readonly #newId: () => string;
  readonly #pending = new Map<string, Pending>();
  #closed = false;

  constructor(options: {
    socket: RumorSocket;
    symphonyAddress: string;
    connectionId: string;
    defaultTimeoutMs: number;
    logger: Logger;
    newId: () => string;
  }) {
    super();
    this.#socket = options.socket;
    this.#symphonyAddress = options.symphonyAddress;
    this.#connectionId = options.connectionId;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    this.#logger = options.logger;
    this.#newId = options.newId;
    this.#socket.on('status', (frame) => this.#onStatus(frame));
    this.#socket.on('message', (frame) => this.#onMessage(frame));
    this.#socket.on('reconnecting', () => {
      for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    });
    this.#socket.on('reconnected', () => {
      if (this.#pending.size > 0) this.#logger.debug('re-sending requests', { count: this.#pending.size });
      for (const pending of this.#pending.values()) this.#transmit(pending);
    });
    this.#socket.on('closed', () => this.close(new ConnectionLostError('the signaling connection closed')));
  }

  /** How many requests await a reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Sends a request; resolves with a 2xx reply, rejects with a refusal, a timeout or a lost connection. */
  request(message: RaptorMessage, options: RaptorRequestOptions): Promise<RaptorReply> {
    if (this.#closed) return Promise.reject(new ConnectionLostError('the signaling connection is closed'));
    if (options.failWhileReconnecting && this.#socket.isReconnecting) {
      return Promise.reject(new ConnectionLostError('the client is reconnecting'));
    }
    const transactionId = this.#newId();
    const frame: RumorFrame = {
      type: RumorType.Message,
      to: [this.#symphonyAddress],
      headers: {
        [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
        [RumorHeader.TransactionId]: transactionId,
        [RumorHeader.FromAddress]: this.#connectionId,
        ...options.headers,
      },
      body: serializeRaptorMessage(message),
    };
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        frame,
        timeoutMs: options.timeoutMs ?? this.#defaultTimeoutMs,
        onTimeout: options.onTimeout,
        timer: undefined,
        resolve,
        reject,
      };
      this.#pending.set(transactionId, pending);
      this.#logger.debug('request', { method: message.method, uri: message.uri, transactionId });
      this.#transmit(pending);
    });
  }

  /** Rejects every pending request and stops dispatching. Idempotent. */
  close(error: Error = new ConnectionLostError('the signaling connection closed')): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }

  /** Sends now when the socket is usable; otherwise it waits for `reconnected`. The timer runs only while sent. */
  #transmit(pending: Pending): void {
    if (!this.#socket.send(pending.frame)) return;
    clearTimeout(pending.timer);
    const transactionId = pending.frame.headers[RumorHeader.TransactionId] as string;
    pending.timer = setTimeout(() => {
      if (this.#pending.get(transactionId) !== pending) return;
      this.#pending.delete(transactionId);
      pending.reject(pending.onTimeout(pending.timeoutMs));
    }, pending.timeoutMs);
  }

  #onStatus(frame: RumorFrame): void {
    const transactionId = frame.headers[RumorHeader.TransactionId];
    const pending = transactionId === undefined ? undefined : this.#pending.get(transactionId);
    if (!pending || transactionId === undefined) {
      this.#logger.debug('STATUS for no pending request', { transactionId });
      return;
    }
    this.#pending.delete(transactionId);
    clearTimeout(pending.timer);
    const status = Number(frame.headers[RumorHeader.Status] ?? '200');
    const body = parseBody(frame.body);
    if (String(status).startsWith('2')) {
      pending.resolve({ status, body });
      return;
    }
    const reason = typeof body?.reason === 'string' ? body.reason : '';
    pending.reject(new RequestRefusedError(status, reason));
  }

  #onMessage(frame: RumorFrame): void {
    if (this.#closed) return;
    let message: RaptorMessage;
    try {
      message = parseRaptorMessage(frame.body);
    } catch (error) {
      this.#logger.warn('ignoring a malformed server message', { error: String(error) });
      return;
    }
    this.emit('message', message, frame.headers[RumorHeader.FromAddress] ?? '');
  }
}

function parseBody(body: string): Record<string, unknown> | null {
  if (body === '') return null;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
