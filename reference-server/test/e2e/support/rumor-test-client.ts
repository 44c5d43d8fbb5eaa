/**
 * A tiny Rumor client over `ws` for protocol tests: it speaks the frames OpenTok.js speaks (CONNECT,
 * SUBSCRIBE, MESSAGE requests with transaction IDs, ACKs, PING) and lets tests send anything else, valid or
 * not. Every received frame is recorded; server MESSAGEs are ACKed unless `autoAck` is off.
 */
import { randomUUID } from 'node:crypto';
import {
  decodeRumorFrame,
  encodeRumorFrame,
  RAPTOR_CONTENT_TYPE,
  type RaptorMessage,
  type RumorFrame,
  RumorHeader,
  RumorType,
} from '@parley/protocol';
import WebSocket from 'ws';

/** A STATUS reply as tests read it. */
export interface StatusReply {
  status: number;
  body: Record<string, unknown> | null;
  frame: RumorFrame;
}

/** A server MESSAGE as tests read it. */
export interface ReceivedMessage extends RaptorMessage {
  from: string;
  transactionId: string;
  frame: RumorFrame;
}

/** The close of the socket. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** Options of {@link RumorTestClient.open}. */
export interface RumorTestClientOptions {
  /** ACK every server MESSAGE (as OpenTok.js does). Default true. */
  autoAck?: boolean;
}

/** A scripted Rumor client. */
export class RumorTestClient {
  readonly frames: RumorFrame[] = [];
  readonly messages: ReceivedMessage[] = [];
  readonly closed: Promise<CloseInfo>;
  autoAck: boolean;
  connectionId = '';
  #socket: WebSocket;
  #waiters: { match: (frame: RumorFrame) => boolean; resolve: (frame: RumorFrame) => void }[] = [];

  private constructor(socket: WebSocket, options: RumorTestClientOptions) {
    this.#socket = socket;
    this.autoAck = options.autoAck ?? true;
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data: Buffer) => this.#receive(new Uint8Array(data)));
  }

  /** Opens a socket to `url` (a `ws://…/rumorwebsocketsv2[?socketId=…]` URL). */
  static async open(url: string, options: RumorTestClientOptions = {}): Promise<RumorTestClient> {
    const socket = new WebSocket(url);
    socket.binaryType = 'nodebuffer';
    const client = new RumorTestClient(socket, options);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Sends a frame. */
  send(frame: RumorFrame): void {
    this.#socket.send(encodeRumorFrame(frame));
  }

  /** Sends raw bytes (binary) or text. */
  sendRaw(data: Uint8Array | string): void {
    this.#socket.send(data);
  }

  /** Sends CONNECT with the connection ID, then SUBSCRIBE to the session topic. */
  hello(connectionId: string, topic: string): void {
    this.connectionId = connectionId;
    this.send({
      type: RumorType.Connect,
      to: [],
      headers: {
        [RumorHeader.UniqueId]: connectionId,
        [RumorHeader.TransactionId]: randomUUID(),
        [RumorHeader.NotifyDisconnectAddress]: '/symphony.parley',
      },
      body: '',
    });
    this.send({ type: RumorType.Subscribe, to: [topic], headers: {}, body: '' });
  }

  /** Sends a request and resolves with its STATUS. */
  async request(
    method: string,
    uri: string,
    content: Record<string, unknown> = {},
    options: { headers?: Record<string, string>; transactionId?: string; timeoutMs?: number } = {},
  ): Promise<StatusReply> {
    const transactionId = options.transactionId ?? randomUUID();
    this.sendRequest(method, uri, content, { ...options, transactionId });
    return this.status(transactionId, options.timeoutMs);
  }

  /** Sends a request without waiting. */
  sendRequest(
    method: string,
    uri: string,
    content: Record<string, unknown>,
    options: { headers?: Record<string, string>; transactionId: string },
  ): void {
    this.send({
      type: RumorType.Message,
      to: ['/symphony.parley'],
      headers: {
        [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
        [RumorHeader.TransactionId]: options.transactionId,
        [RumorHeader.FromAddress]: this.connectionId,
        ...options.headers,
      },
      body: JSON.stringify({ method, uri, content }),
    });
  }

  /** Resolves with the STATUS of a transaction (one already received counts). */
  async status(transactionId: string, timeoutMs = 2000): Promise<StatusReply> {
    const frame = await this.frame(
      (f) => f.type === RumorType.Status && f.headers[RumorHeader.TransactionId] === transactionId,
      timeoutMs,
      `STATUS of ${transactionId}`,
    );
    return {
      status: Number(frame.headers[RumorHeader.Status]),
      body: frame.body ? (JSON.parse(frame.body) as Record<string, unknown>) : null,
      frame,
    };
  }

  /** Resolves with the first MESSAGE (received or to come) that matches. */
  async message(match: (message: ReceivedMessage) => boolean, timeoutMs = 2000): Promise<ReceivedMessage> {
    const found = this.messages.find(match);
    if (found) return found;
    const frame = await this.frame(
      (f) => f.type === RumorType.Message && match(toMessage(f)),
      timeoutMs,
      'a matching MESSAGE',
    );
    return toMessage(frame);
  }

  /** Resolves with the first frame (received or to come) that matches. */
  frame(
    match: (frame: RumorFrame) => boolean,
    timeoutMs = 2000,
    what = 'a matching frame',
  ): Promise<RumorFrame> {
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (frame: RumorFrame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Sends DISCONNECT and closes normally, as `session.disconnect()` does. */
  async goodbye(): Promise<CloseInfo> {
    this.send({ type: RumorType.Disconnect, to: [], headers: { [RumorHeader.Reconnect]: '' }, body: '' });
    this.#socket.close(1000, 'bye');
    return this.closed;
  }

  /** Drops the socket without a close handshake (a network failure). */
  async drop(): Promise<CloseInfo> {
    this.#socket.terminate();
    return this.closed;
  }

  #receive(bytes: Uint8Array): void {
    const frame = decodeRumorFrame(bytes);
    this.frames.push(frame);
    if (frame.type === RumorType.Message) {
      const message = toMessage(frame);
      this.messages.push(message);
      if (this.autoAck) {
        this.send({
          type: RumorType.Status,
          to: [message.from],
          headers: {
            [RumorHeader.TransactionId]: message.transactionId,
            [RumorHeader.FromAddress]: this.connectionId,
          },
          body: '',
        });
      }
    }
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(frame)) {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        waiter.resolve(frame);
      }
    }
  }
}

function toMessage(frame: RumorFrame): ReceivedMessage {
  const body = JSON.parse(frame.body) as RaptorMessage;
  return {
    ...body,
    from: frame.headers[RumorHeader.FromAddress] ?? '',
    transactionId: frame.headers[RumorHeader.TransactionId] ?? '',
    frame,
  };
}
