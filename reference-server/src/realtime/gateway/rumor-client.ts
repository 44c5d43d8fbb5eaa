/**
 * One client of the signaling gateway: the Rumor layer of a client's WebSocket, which survives socket
 * reconnects. A client that enabled reconnection re-attaches a new socket by its `socketId` within the
 * grace window, keeping its connection ID, its topic subscription, its un-acknowledged messages (re-sent
 * on re-attach; the client drops the ones it already had by transaction ID) and the replies to its
 * requests (so re-sent requests are answered, not re-run).
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@parley/events';
import {
  decodeRumorFrame,
  encodeRumorFrame,
  RAPTOR_CONTENT_TYPE,
  RumorDecodeError,
  type RumorFrame,
  RumorHeader,
  RumorType,
  serializeRaptorMessage,
} from '@parley/protocol';
import type WebSocket from 'ws';
import { CloseCode } from '../close-codes.js';
import type { RealtimeLogger } from '../logger.js';
import type { LiveSession } from '../session/live-session.js';
import type { ClientEndpoint, LiveConnection, OutboundMessage } from '../session/types.js';
import { TokenBucket } from './token-bucket.js';
import { TransactionCache } from './transaction-cache.js';

/** Limits and timers of one client. */
export interface RumorClientOptions {
  /** The client's `socketId` (reconnection enabled), or null. */
  socketId: string | null;
  /** The address server frames come from. */
  serverAddress: string;
  /** Largest accepted frame, in bytes. */
  maxFrameBytes: number;
  /** How long a dropped client may take to re-attach, in ms. */
  reconnectGraceMs: number;
  /** Close a socket that sent nothing for this long, in ms. */
  idleTimeoutMs: number;
  /** Sustained inbound frames per second. */
  rateLimitPerSecond: number;
  /** Inbound frames accepted in a burst. */
  rateLimitBurst: number;
  /** How many server messages may wait for their ACK before the oldest are dropped. */
  maxUnacked: number;
  logger: RealtimeLogger;
  now?: () => number;
}

/** Why a client is gone for good. */
export type ClientGoneReason = 'clientDisconnected' | 'networkDisconnected';

/** Events of a {@link RumorClient}. */
export type RumorClientEvents = {
  /** A `MESSAGE` frame arrived (already rate-limited and decoded). */
  message: [frame: RumorFrame];
  /** The client is gone: it said goodbye, or its socket dropped and the grace window passed. */
  gone: [reason: ClientGoneReason];
};

/** The client's binding to a live session, set by connection create. */
export interface ClientBinding {
  session: LiveSession;
  connection: LiveConnection;
}

/** The Rumor layer of one client. */
export class RumorClient extends TypedEmitter<RumorClientEvents> implements ClientEndpoint {
  readonly socketId: string | null;
  /** The connection ID the client gave in `CONNECT`, or null before it. */
  uniqueId: string | null = null;
  /** When the client sent `CONNECT` (ms since the epoch), or null before it. */
  connectTime: number | null = null;
  /** The topics the client subscribed to. */
  readonly topics = new Set<string>();
  /** Replies to the client's requests, by transaction ID. */
  readonly transactions: TransactionCache;
  /** The live session and connection, once connection create succeeded. */
  binding: ClientBinding | null = null;

  readonly #options: RumorClientOptions;
  readonly #bucket: TokenBucket;
  readonly #unacked = new Map<string, Uint8Array>();
  readonly #log: RealtimeLogger;
  #socket: WebSocket | null = null;
  #graceTimer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #saidGoodbye = false;
  #rejectedInARow = 0;
  #gone = false;

  constructor(options: RumorClientOptions) {
    super();
    this.#options = options;
    this.socketId = options.socketId;
    this.#log = options.logger;
    this.#bucket = new TokenBucket(options.rateLimitPerSecond, options.rateLimitBurst, options.now);
    this.transactions = new TransactionCache(60_000, 1000, options.now);
  }

  /** Whether a socket is attached right now. */
  get attached(): boolean {
    return this.#socket !== null;
  }

  /** Whether the client is gone for good. */
  get gone(): boolean {
    return this.#gone;
  }

  /**
   * Attaches a socket: the first one, or a new one after a drop. A socket still attached is replaced
   * (closed with 4009). Queued messages the client has not acknowledged are re-sent.
   */
  attach(socket: WebSocket, reconnect: boolean): void {
    if (this.#gone) {
      socket.close(CloseCode.PolicyViolation, 'The connection has ended');
      return;
    }
    const previous = this.#socket;
    this.#socket = socket;
    if (previous) previous.close(CloseCode.Replaced, 'Replaced by a newer socket');
    this.#clearGrace();
    this.#saidGoodbye = false;
    socket.on('message', (data, isBinary) => this.#onData(socket, data, isBinary));
    socket.on('close', (code) => this.#onClose(socket, code));
    socket.on('error', (error) => this.#log.debug({ err: error, socketId: this.socketId }, 'socket error'));
    this.#touch();
    if (reconnect) {
      // OpenTok.js declares itself reconnected on the first frame it receives; don't make it wait for a PING.
      this.#write(encodeRumorFrame({ type: RumorType.Pong, to: [], headers: {}, body: '' }));
      for (const frame of this.#unacked.values()) this.#write(frame);
    }
  }

  /** Sends a Raptor message with a fresh transaction ID and keeps it until the client acknowledges it. */
  send(message: OutboundMessage): void {
    if (this.#gone || !this.uniqueId) return;
    const transactionId = randomUUID();
    const body: Record<string, unknown> = {
      method: message.method,
      uri: message.uri,
      content: message.content,
    };
    if (message.reason !== undefined) body.reason = message.reason;
    const frame = encodeRumorFrame({
      type: RumorType.Message,
      to: [this.uniqueId],
      headers: {
        [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
        [RumorHeader.TransactionId]: transactionId,
        [RumorHeader.FromAddress]: message.from ?? this.#options.serverAddress,
      },
      body: serializeRaptorMessage(body as { method: string; uri: string; content: Record<string, unknown> }),
    });
    this.#unacked.set(transactionId, frame);
    if (this.#unacked.size > this.#options.maxUnacked) {
      const oldest = this.#unacked.keys().next().value;
      if (oldest !== undefined) this.#unacked.delete(oldest);
      this.#log.warn(
        { connectionId: this.uniqueId },
        'client is not acknowledging messages; dropped the oldest',
      );
    }
    this.#write(frame);
  }

  /**
   * Answers a request with `STATUS`. Returns the encoded reply so it can be cached for re-sent requests.
   */
  reply(transactionId: string | undefined, status: number, body?: Record<string, unknown>): Uint8Array {
    const headers: Record<string, string> = {};
    if (transactionId !== undefined) headers[RumorHeader.TransactionId] = transactionId;
    headers[RumorHeader.Status] = String(status);
    headers[RumorHeader.FromAddress] = this.#options.serverAddress;
    const frame = encodeRumorFrame({
      type: RumorType.Status,
      to: this.uniqueId ? [this.uniqueId] : [],
      headers,
      body: body ? JSON.stringify(body) : '',
    });
    this.#write(frame);
    return frame;
  }

  /** Re-sends a cached reply. */
  resend(frame: Uint8Array): void {
    this.#write(frame);
  }

  /** Terminates the attached socket without a close handshake (a simulated network failure). */
  dropSocket(): boolean {
    if (!this.#socket) return false;
    this.#socket.terminate();
    return true;
  }

  /** Closes the socket and ends the client for good (forced out or server shutdown). */
  close(code: number, reason: string): void {
    this.#saidGoodbye = true;
    const socket = this.#socket;
    this.#finish('clientDisconnected');
    socket?.close(code, reason);
  }

  #write(frame: Uint8Array): void {
    const socket = this.#socket;
    if (socket && socket.readyState === socket.OPEN) socket.send(frame, { binary: true });
  }

  #onData(socket: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    if (socket !== this.#socket) return;
    this.#touch();
    if (!isBinary) {
      socket.close(CloseCode.UnsupportedData, 'Frames must be binary Rumor frames');
      return;
    }
    // ACKs answer the server's own messages, so they scale with the session's traffic, not the client's.
    if (!isAck(data) && !this.#bucket.take()) {
      this.#rejectedInARow++;
      if (this.#rejectedInARow > this.#options.rateLimitBurst) {
        this.#log.warn({ socketId: this.socketId, connectionId: this.uniqueId }, 'closing a flooding client');
        socket.close(CloseCode.PolicyViolation, 'Message rate limit exceeded');
        return;
      }
      this.#rejectRateLimited(data);
      return;
    }
    this.#rejectedInARow = 0;
    let frame: RumorFrame;
    try {
      frame = decodeRumorFrame(toBytes(data), this.#options.maxFrameBytes);
    } catch (error) {
      if (!(error instanceof RumorDecodeError)) throw error;
      this.#log.debug({ reason: error.reason, socketId: this.socketId }, 'malformed Rumor frame');
      socket.close(CloseCode.PolicyViolation, `Invalid Rumor frame: ${error.message}`.slice(0, 120));
      return;
    }
    this.#onFrame(socket, frame);
  }

  #onFrame(socket: WebSocket, frame: RumorFrame): void {
    if (this.uniqueId === null && frame.type !== RumorType.Connect) {
      socket.close(CloseCode.PolicyViolation, 'The first frame must be CONNECT');
      return;
    }
    switch (frame.type) {
      case RumorType.Ping:
        this.#write(encodeRumorFrame({ type: RumorType.Pong, to: [], headers: {}, body: '' }));
        return;
      case RumorType.Pong:
        return;
      case RumorType.Connect: {
        const uniqueId = frame.headers[RumorHeader.UniqueId] ?? '';
        if (
          this.uniqueId !== null ||
          !CONNECTION_ID_PATTERN.test(uniqueId) ||
          uniqueId.startsWith('symphony.')
        ) {
          socket.close(CloseCode.PolicyViolation, 'CONNECT must come once, with a valid uniqueId');
          return;
        }
        this.uniqueId = uniqueId;
        this.connectTime = (this.#options.now ?? Date.now)();
        return;
      }
      case RumorType.Subscribe:
        for (const topic of frame.to) this.topics.add(topic);
        return;
      case RumorType.Unsubscribe:
        for (const topic of frame.to) this.topics.delete(topic);
        return;
      case RumorType.Disconnect:
        // `reconnect: "1"` is sent on a reconnect attempt, which is not a goodbye.
        if (frame.headers[RumorHeader.Reconnect] !== '1') this.#saidGoodbye = true;
        return;
      case RumorType.Status: {
        const transactionId = frame.headers[RumorHeader.TransactionId];
        if (transactionId !== undefined) this.#unacked.delete(transactionId);
        return;
      }
      case RumorType.Message:
        this.emit('message', frame);
        return;
    }
  }

  /** Answers a rate-limited request with 429 when it can be read cheaply; other frames are dropped. */
  #rejectRateLimited(data: WebSocket.RawData): void {
    try {
      const frame = decodeRumorFrame(toBytes(data), this.#options.maxFrameBytes);
      const transactionId = frame.headers[RumorHeader.TransactionId];
      if (frame.type === RumorType.Message && transactionId !== undefined && this.uniqueId) {
        this.reply(transactionId, 429, { reason: 'Too many messages; slow down' });
      }
    } catch {
      // A malformed frame over the rate limit is dropped like any other excess frame.
    }
  }

  #onClose(socket: WebSocket, code: number): void {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.#clearIdle();
    if (this.#gone) return;
    if (this.#saidGoodbye || code === CloseCode.Normal) {
      this.#finish('clientDisconnected');
      return;
    }
    if (this.socketId === null || this.#options.reconnectGraceMs <= 0) {
      this.#finish('networkDisconnected');
      return;
    }
    this.#graceTimer = setTimeout(() => this.#finish('networkDisconnected'), this.#options.reconnectGraceMs);
    this.#graceTimer.unref();
  }

  #finish(reason: ClientGoneReason): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#clearGrace();
    this.#clearIdle();
    this.#unacked.clear();
    this.emit('gone', reason);
  }

  #touch(): void {
    this.#clearIdle();
    if (this.#options.idleTimeoutMs <= 0) return;
    this.#idleTimer = setTimeout(() => {
      this.#log.debug({ socketId: this.socketId, connectionId: this.uniqueId }, 'idle socket closed');
      const socket = this.#socket;
      if (!socket) return;
      socket.close(CloseCode.IdleTimeout, 'No frame received within the idle timeout');
      // A dead peer never completes the close handshake; don't wait for it.
      setTimeout(() => socket.terminate(), 1000).unref();
    }, this.#options.idleTimeoutMs);
    this.#idleTimer.unref();
  }

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #clearGrace(): void {
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#graceTimer = null;
  }
}

/** Connection, stream and subscriber IDs: what the protocol schemas allow. */
export const CONNECTION_ID_PATTERN = /^[A-Za-z0-9_.~-]{1,255}$/;

/** Whether raw data is a STATUS frame (the type byte sits at offset 6). */
function isAck(data: WebSocket.RawData): boolean {
  const bytes = toBytes(data);
  return bytes.length > 6 && bytes[6] === RumorType.Status;
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
