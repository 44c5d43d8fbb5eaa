/**
 * One client of the signaling gateway: the Rumor layer of a client's WebSocket, which survives socket
 * reconnects. A client that enabled reconnection re-attaches a new socket by its `socketId` within the
 * grace window, keeping its connection ID, its topic subscription, its un-acknowledged messages (re-sent
 * on re-attach; the client drops the ones it already had by transaction ID) and the replies to its
 * requests (so re-sent requests are answered, not re-run).
 */
import { TypedEmitter } from '@parley/events';
import {
  decodeRumorFrame,
  encodeRumorFrame,
  peekRumorHeader,
  RumorDecodeError,
  type RumorFrame,
  type RumorFrameTemplate,
  RumorHeader,
  RumorType,
} from '@parley/protocol';
import type WebSocket from 'ws';
import { CloseCode } from '../close-codes.js';
import type { RealtimeLogger } from '../logger.js';
import type { LiveSession } from '../session/live-session.js';
import type { ClientEndpoint, LiveConnection, OutboundMessage } from '../session/types.js';
import { outboundTemplate } from './outbound-frames.js';
import { TokenBucket } from './token-bucket.js';
import { type SentReply, TransactionCache } from './transaction-cache.js';
import type { Corkable, WriteBatch } from './write-batch.js';

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
  /** Most bytes of request replies kept for re-sent requests (see {@link TransactionCache}). */
  maxCachedReplyBytes: number;
  /** Hands out the transaction IDs of server messages (unique per gateway). */
  nextTransactionId: () => string;
  /** Coalesces the frames written to a socket within one event-loop turn. */
  writeBatch: WriteBatch;
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

/** A server message the client has not acknowledged yet: its shared encoding, and when it was written. */
interface UnackedMessage {
  template: RumorFrameTemplate;
  /** The write sequence number of its latest copy; -1 while no socket was attached to take it. */
  writeSeq: number;
}

/** The PONG frame (also the first frame after a reconnect). */
const PONG = encodeRumorFrame({ type: RumorType.Pong, to: [], headers: {}, body: '' });

/** How long replies are kept for re-sent requests, in ms: longer than the client's reconnect window. */
const TRANSACTION_TTL_MS = 60_000;
/**
 * Replies above this size are dropped from the cache once the client provably has them (a connection
 * create's session state); smaller ones (most replies: a status and at most a short reason) stay.
 */
const RELEASE_DELIVERED_REPLIES_ABOVE = 1024;

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
  readonly #unacked = new Map<string, UnackedMessage>();
  readonly #log: RealtimeLogger;
  #socket: WebSocket | null = null;
  /** The attached socket's TCP stream, corked by the write batch. */
  #transport: Corkable | null = null;
  /** Frames written to this client's sockets so far; each write gets the next number. */
  #writeSeq = 0;
  /** The sequence number of the first frame written to the attached socket. */
  #socketFirstSeq = 0;
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
    this.transactions = new TransactionCache({
      ttlMs: TRANSACTION_TTL_MS,
      maxEntries: 1000,
      maxReplyBytes: options.maxCachedReplyBytes,
      releaseDeliveredAbove: RELEASE_DELIVERED_REPLIES_ABOVE,
      ...(options.now ? { now: options.now } : {}),
    });
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
   * (closed with 4009). Queued messages the client has not acknowledged are re-sent. `transport` is the
   * socket's TCP stream (the upgraded request's socket), corked to batch writes; null writes unbatched.
   */
  attach(socket: WebSocket, reconnect: boolean, transport: Corkable | null = null): void {
    if (this.#gone) {
      socket.close(CloseCode.PolicyViolation, 'The connection has ended');
      return;
    }
    const previous = this.#socket;
    this.#socket = socket;
    this.#transport = transport;
    this.#socketFirstSeq = this.#writeSeq + 1;
    if (previous) previous.close(CloseCode.Replaced, 'Replaced by a newer socket');
    this.#clearGrace();
    this.#saidGoodbye = false;
    socket.on('message', (data, isBinary) => this.#onData(socket, data, isBinary));
    socket.on('close', (code) => this.#onClose(socket, code));
    socket.on('error', (error) => this.#log.debug({ err: error, socketId: this.socketId }, 'socket error'));
    this.#touch();
    if (reconnect) {
      // OpenTok.js declares itself reconnected on the first frame it receives; don't make it wait for a PING.
      this.#write(PONG);
      const address = this.uniqueId ?? '';
      for (const [transactionId, unacked] of this.#unacked) {
        unacked.writeSeq = this.#write(unacked.template.encode([address], transactionId, pooledBytes));
      }
    }
  }

  /**
   * Sends a Raptor message with a fresh transaction ID and keeps it until the client acknowledges it. The
   * message's encoding is shared with every other recipient of the same message object.
   */
  send(message: OutboundMessage): void {
    if (this.#gone || !this.uniqueId) return;
    const template = outboundTemplate(message, this.#options.serverAddress);
    const transactionId = this.#options.nextTransactionId();
    const unacked: UnackedMessage = { template, writeSeq: -1 };
    this.#unacked.set(transactionId, unacked);
    if (this.#unacked.size > this.#options.maxUnacked) {
      const oldest = this.#unacked.keys().next().value;
      if (oldest !== undefined) this.#unacked.delete(oldest);
      this.#log.warn(
        { connectionId: this.uniqueId },
        'client is not acknowledging messages; dropped the oldest',
      );
    }
    unacked.writeSeq = this.#write(template.encode([this.uniqueId], transactionId, pooledBytes));
  }

  /**
   * Answers a request with `STATUS`. Returns the reply as written, so it can be cached for re-sent
   * requests (and released once the client provably has it).
   */
  reply(transactionId: string | undefined, status: number, body?: Record<string, unknown>): SentReply {
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
    return { frame, writeSeq: this.#write(frame) };
  }

  /** Re-sends a cached reply; returns it with its new write sequence number. */
  resend(reply: SentReply): SentReply {
    return { frame: reply.frame, writeSeq: this.#write(reply.frame) };
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

  /** Writes a frame to the attached socket; returns its write sequence number, or -1 when not written. */
  #write(frame: Uint8Array): number {
    const socket = this.#socket;
    if (!socket || socket.readyState !== socket.OPEN) return -1;
    if (this.#transport) this.#options.writeBatch.hold(this.#transport);
    socket.send(frame, { binary: true });
    return ++this.#writeSeq;
  }

  #onData(socket: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    if (socket !== this.#socket) return;
    this.#touch();
    if (!isBinary) {
      socket.close(CloseCode.UnsupportedData, 'Frames must be binary Rumor frames');
      return;
    }
    const bytes = toBytes(data);
    // ACKs answer the server's own messages, so they scale with the session's traffic, not the client's.
    const ack = isAck(bytes);
    if (!ack && !this.#bucket.take()) {
      this.#rejectedInARow++;
      if (this.#rejectedInARow > this.#options.rateLimitBurst) {
        this.#log.warn({ socketId: this.socketId, connectionId: this.uniqueId }, 'closing a flooding client');
        socket.close(CloseCode.PolicyViolation, 'Message rate limit exceeded');
        return;
      }
      this.#rejectRateLimited(bytes);
      return;
    }
    this.#rejectedInARow = 0;
    let frame: RumorFrame;
    try {
      if (ack && this.uniqueId !== null) {
        // The most frequent frame by far (one per server message): only its transaction ID matters.
        const transactionId = peekRumorHeader(bytes, RumorHeader.TransactionId, this.#options.maxFrameBytes);
        if (transactionId !== undefined) this.#acknowledged(transactionId);
        return;
      }
      frame = decodeRumorFrame(bytes, this.#options.maxFrameBytes);
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
        this.#write(PONG);
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
        if (transactionId !== undefined) this.#acknowledged(transactionId);
        return;
      }
      case RumorType.Message:
        this.emit('message', frame);
        return;
    }
  }

  /**
   * The client acknowledged a message. If its latest copy went out on this socket, the client has also
   * received every frame written to this socket before it, replies included: those need not be kept.
   */
  #acknowledged(transactionId: string): void {
    const unacked = this.#unacked.get(transactionId);
    if (!unacked) return;
    this.#unacked.delete(transactionId);
    if (unacked.writeSeq >= this.#socketFirstSeq) {
      this.transactions.delivered(this.#socketFirstSeq, unacked.writeSeq);
    }
  }

  /** Answers a rate-limited request with 429 when it can be read cheaply; other frames are dropped. */
  #rejectRateLimited(bytes: Uint8Array): void {
    try {
      const frame = decodeRumorFrame(bytes, this.#options.maxFrameBytes);
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
    this.#transport = null;
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
    this.transactions.clear();
    this.emit('gone', reason);
  }

  #touch(): void {
    if (this.#options.idleTimeoutMs <= 0) return;
    // Every frame touches the timer: restarting it is much cheaper than replacing it.
    if (this.#idleTimer) {
      this.#idleTimer.refresh();
      return;
    }
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
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

/**
 * Bytes for one copy of a server message: Node's pool serves small sizes from shared 8 KB slabs, so the
 * thousand copies of a broadcast don't each cost a `malloc` (and the allocator's fragmentation).
 */
function pooledBytes(size: number): Uint8Array {
  return Buffer.allocUnsafe(size);
}

/** Connection, stream and subscriber IDs: what the protocol schemas allow. */
export const CONNECTION_ID_PATTERN = /^[A-Za-z0-9_.~-]{1,255}$/;

/** Whether a frame is a STATUS frame (the type byte sits at offset 6). */
function isAck(bytes: Uint8Array): boolean {
  return bytes.length > 6 && bytes[6] === RumorType.Status;
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
