/**
 * The signaling gateway: the WebSocket endpoint OpenTok.js-compatible clients connect to. It accepts
 * upgrades on the signaling paths, runs the Rumor layer per client ({@link RumorClient}), re-attaches
 * reconnecting clients by `socketId`, and answers each client's requests in order through the request
 * pipeline. When a client is gone for good its connection ends with `clientDisconnected` or
 * `networkDisconnected`.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { sessionTopic } from '@parley/protocol';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { CloseCode } from '../close-codes.js';
import type { HandlerDeps } from '../handlers/context.js';
import { handleRequest } from '../handlers/dispatch.js';
import { parseSignalingUrl } from './paths.js';
import { type ClientGoneReason, CONNECTION_ID_PATTERN, RumorClient } from './rumor-client.js';
import { TransactionIdSource } from './transaction-ids.js';
import { WriteBatch } from './write-batch.js';

/** Limits and timers of the gateway. Every field has a default. */
export interface GatewayLimits {
  /** Largest frame accepted, in bytes; larger frames close the socket with 1009. Default 1 MiB. */
  maxFrameBytes: number;
  /** How long a dropped client may take to re-attach by `socketId`, in ms. Default 30000 (the client's own window). */
  reconnectGraceMs: number;
  /** A socket that sends nothing (not even PING) for this long is closed with 4001, in ms. Default 20000. */
  idleTimeoutMs: number;
  /** Sustained frames per second per client. Default 100. */
  rateLimitPerSecond: number;
  /** Frames per client accepted in a burst above the sustained rate. Default 300. */
  rateLimitBurst: number;
  /** Server messages kept for re-sending until the client acknowledges them. Default 2000. */
  maxUnacked: number;
  /**
   * Bytes of request replies kept per client for requests re-sent after a reconnect, until the client
   * provably received them. Default 1 MiB (a session state of several thousand connections).
   */
  maxCachedReplyBytes: number;
}

/** The default limits. */
export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxFrameBytes: 1024 * 1024,
  reconnectGraceMs: 30_000,
  idleTimeoutMs: 20_000,
  rateLimitPerSecond: 100,
  rateLimitBurst: 300,
  maxUnacked: 2000,
  maxCachedReplyBytes: 1024 * 1024,
};

/** The WebSocket side of the realtime layer. */
export class SignalingGateway {
  readonly #wss: WebSocketServer;
  readonly #deps: HandlerDeps;
  readonly #limits: GatewayLimits;
  /** Reconnectable clients by socketId. */
  readonly #bySocketId = new Map<string, RumorClient>();
  readonly #clients = new Set<RumorClient>();
  readonly #queues = new WeakMap<RumorClient, Promise<void>>();
  readonly #transactionIds = new TransactionIdSource();
  readonly #writeBatch = new WriteBatch();
  #closed = false;

  constructor(deps: HandlerDeps, limits: Partial<GatewayLimits> = {}) {
    this.#deps = deps;
    this.#limits = { ...DEFAULT_GATEWAY_LIMITS, ...limits };
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.#limits.maxFrameBytes,
      // OpenTok.js offers permessage-deflate, but signaling frames are small; compression costs more than it saves.
      perMessageDeflate: false,
    });
  }

  /** How many clients are known (attached or within their grace window). */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Routes the HTTP server's upgrade requests on the signaling paths to this gateway. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!this.handleUpgrade(request, socket, head)) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    });
  }

  /** Takes over an upgrade request on a signaling path; returns false for any other path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const target = parseSignalingUrl(request.url);
    if (!target) return false;
    if (this.#closed) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    // A reconnection for an unknown or expired socketId is refused before the upgrade: the connection is gone.
    if (target.reconnect && (target.socketId === null || !this.#bySocketId.has(target.socketId))) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    // `socket` is the TCP stream ws takes over; the client corks it to batch its writes.
    this.#wss.handleUpgrade(request, socket, head, (ws) =>
      this.#accept(ws, socket, target.socketId, target.reconnect),
    );
    return true;
  }

  #accept(ws: WebSocket, transport: Duplex, socketId: string | null, reconnect: boolean): void {
    if (socketId !== null && !CONNECTION_ID_PATTERN.test(socketId)) {
      ws.close(CloseCode.PolicyViolation, 'Invalid socketId');
      return;
    }
    const existing = socketId === null ? undefined : this.#bySocketId.get(socketId);
    if (existing) {
      if (!reconnect) {
        ws.close(CloseCode.PolicyViolation, 'This socketId is in use');
        return;
      }
      existing.attach(ws, true, transport);
      return;
    }
    if (reconnect) {
      // The grace window ended during the upgrade.
      ws.close(CloseCode.PolicyViolation, 'Unknown socketId; connect again');
      return;
    }
    const client = new RumorClient({
      ...this.#limits,
      socketId,
      serverAddress: this.#deps.registry.serverAddress,
      nextTransactionId: this.#transactionIds.next,
      writeBatch: this.#writeBatch,
      logger: this.#deps.logger,
      now: this.#deps.now,
    });
    this.#clients.add(client);
    if (socketId !== null) this.#bySocketId.set(socketId, client);
    client.on('message', (frame) => this.#enqueue(client, () => handleRequest(client, frame, this.#deps)));
    client.on('gone', (reason) => this.#onGone(client, reason));
    client.attach(ws, false, transport);
  }

  /** Runs a client's requests one at a time, in arrival order. */
  #enqueue(client: RumorClient, work: () => Promise<void>): void {
    const previous = this.#queues.get(client) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.#deps.logger.error({ err: error, connectionId: client.uniqueId }, 'request pipeline failed');
    });
    this.#queues.set(client, next);
  }

  #onGone(client: RumorClient, reason: ClientGoneReason): void {
    this.#clients.delete(client);
    if (client.socketId !== null && this.#bySocketId.get(client.socketId) === client) {
      this.#bySocketId.delete(client.socketId);
    }
    const binding = client.binding;
    // Wait for requests in flight (a connection create may still be verifying its token).
    const settle = this.#queues.get(client) ?? Promise.resolve();
    void settle.then(() => {
      const current = client.binding ?? binding;
      current?.session.removeConnection(current.connection.id, reason);
    });
  }

  /**
   * The clients joining a session: their socket said `CONNECT` (binding a connection ID) and subscribed to
   * the session's topic, but connection create has not succeeded yet (the token may still be under
   * verification). Such a client is unverified until then. `partnerIds` are the project's API key and
   * application ID (either may name the project in the topic). Oldest first.
   */
  joiningClients(
    partnerIds: readonly string[],
    sessionId: string,
  ): { connectionId: string; connectTime: number }[] {
    const topics = partnerIds.map((partner) => sessionTopic(partner, sessionId));
    const joining: { connectionId: string; connectTime: number }[] = [];
    for (const client of this.#clients) {
      if (client.binding || client.gone || client.uniqueId === null || client.connectTime === null) continue;
      if (!topics.some((topic) => client.topics.has(topic))) continue;
      joining.push({ connectionId: client.uniqueId, connectTime: client.connectTime });
    }
    return joining.sort((a, b) => a.connectTime - b.connectTime);
  }

  /**
   * Drops the socket of a connection without ending the connection, as a network failure would: a client
   * with reconnection enabled re-attaches within the grace window; any other client's connection ends with
   * `networkDisconnected`. For failure drills and tests. Returns false when no such socket is attached.
   */
  dropSocket(connectionId: string): boolean {
    for (const client of this.#clients) {
      if (client.uniqueId === connectionId && client.attached) return client.dropSocket();
    }
    return false;
  }

  /** Closes every socket (1001) and stops accepting new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const client of [...this.#clients]) client.close(CloseCode.GoingAway, 'Server shutting down');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    for (const ws of this.#wss.clients) ws.terminate();
  }
}
