/**
 * The participant's signaling socket: Rumor frames over `ws`, binary both ways, with the reliability
 * rules OpenTok.js follows — a fresh TRANSACTION-ID per request answered by a STATUS with the same ID,
 * an ACK (STATUS) for every server MESSAGE that carries one, and a PING every 2 s while idle.
 */
import { randomUUID } from 'node:crypto';
import {
  decodeRumorFrame,
  encodeRumorFrame,
  parseRaptorMessage,
  RAPTOR_CONTENT_TYPE,
  type RaptorMessage,
  type RumorFrame,
  RumorHeader,
  RumorType,
  serializeRaptorMessage,
} from '@parley/protocol';
import WebSocket from 'ws';
import { ParticipantJoinError, ParticipantRequestError } from './participant.js';

/** A server MESSAGE with the address it came from. */
export interface InboundMessage {
  message: RaptorMessage;
  /** `X-TB-FROM-ADDRESS`: a connection ID, a `symphony.*` address, or empty for the server itself. */
  from: string;
}

interface Pending {
  resolve: (body: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** How long a request waits for its STATUS. */
const REQUEST_TIMEOUT_MS = 10_000;
/** OpenTok.js pings after 2 s without sending. */
const PING_INTERVAL_MS = 2_000;

/** One open signaling socket. */
export class RumorSocket {
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, Pending>();
  readonly #ping: NodeJS.Timeout;
  #onMessage: (inbound: InboundMessage) => void = () => {};
  #onClose: (code: number, reason: string) => void = () => {};
  #closed = false;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer) => this.#receive(new Uint8Array(data)));
    ws.on('close', (code, reason) => {
      this.#closed = true;
      clearInterval(this.#ping);
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer);
        pending.reject(new ParticipantRequestError(0, `the socket closed before STATUS ${id} arrived`));
      }
      this.#pending.clear();
      this.#onClose(code, reason.toString());
    });
    this.#ping = setInterval(
      () => this.#send({ type: RumorType.Ping, to: [], headers: {}, body: '' }),
      PING_INTERVAL_MS,
    );
    this.#ping.unref();
  }

  /** Opens a socket to `url`. Rejects with {@link ParticipantJoinError} when it does not open in time. */
  static open(url: string, timeoutMs = 10_000): Promise<RumorSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'nodebuffer';
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new ParticipantJoinError(`the signaling socket ${url} did not open within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new RumorSocket(ws));
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(new ParticipantJoinError(`the signaling socket ${url} failed: ${error.message}`));
      });
    });
  }

  /** Handlers for server messages and for the socket closing. */
  on(handlers: {
    message: (inbound: InboundMessage) => void;
    close: (code: number, reason: string) => void;
  }): void {
    this.#onMessage = handlers.message;
    this.#onClose = handlers.close;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a frame that expects no reply (CONNECT, SUBSCRIBE, DISCONNECT). */
  sendFrame(type: RumorType, to: string[], headers: Record<string, string> = {}): void {
    this.#send({ type, to, headers, body: '' });
  }

  /** Sends a Raptor request and resolves with the body of its 2xx STATUS. */
  request(
    to: string,
    message: RaptorMessage,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const transactionId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transactionId);
        reject(
          new ParticipantRequestError(
            0,
            `no STATUS for ${message.method} ${message.uri} within ${REQUEST_TIMEOUT_MS} ms`,
          ),
        );
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(transactionId, { resolve, reject, timer });
      this.#send({
        type: RumorType.Message,
        to: [to],
        headers: {
          [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
          [RumorHeader.TransactionId]: transactionId,
          ...headers,
        },
        body: serializeRaptorMessage(message),
      });
    });
  }

  /** Closes with 1000 after a DISCONNECT, as OpenTok.js does. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.sendFrame(RumorType.Disconnect, [], { [RumorHeader.Reconnect]: '' });
    await new Promise<void>((resolve) => {
      this.#ws.once('close', () => resolve());
      this.#ws.close(1000, 'The connection successfully completed the purpose for which it was created.');
      setTimeout(() => {
        this.#ws.terminate();
        resolve();
      }, 2_000).unref();
    });
  }

  #send(frame: RumorFrame): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(encodeRumorFrame(frame));
  }

  #receive(bytes: Uint8Array): void {
    let frame: RumorFrame;
    try {
      frame = decodeRumorFrame(bytes);
    } catch {
      return; // The contract tests judge what arrives; an undecodable frame shows up as a missing event.
    }
    const transactionId = frame.headers[RumorHeader.TransactionId];
    if (frame.type === RumorType.Status && transactionId) {
      const pending = this.#pending.get(transactionId);
      if (!pending) return;
      this.#pending.delete(transactionId);
      clearTimeout(pending.timer);
      const status = Number(frame.headers[RumorHeader.Status] ?? '200');
      const body = parseBody(frame.body);
      if (status >= 200 && status < 300) pending.resolve(body);
      else pending.reject(new ParticipantRequestError(status, String(body.reason ?? `STATUS ${status}`)));
      return;
    }
    if (frame.type !== RumorType.Message) return;
    const from = frame.headers[RumorHeader.FromAddress] ?? '';
    if (transactionId) {
      // ACK every server message that carries a transaction ID, to its sender.
      this.#send({
        type: RumorType.Status,
        to: from ? [from] : [],
        headers: { [RumorHeader.TransactionId]: transactionId },
        body: '',
      });
    }
    try {
      this.#onMessage({ message: parseRaptorMessage(frame.body), from });
    } catch {
      // Not a Raptor message: nothing a participant acts on.
    }
  }
}

function parseBody(body: string): Record<string, unknown> {
  if (body === '') return {};
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
