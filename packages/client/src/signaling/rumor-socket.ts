/**
 * The Rumor layer of the signaling channel, as OpenTok.js speaks it: `CONNECT` and `SUBSCRIBE` after the
 * socket opens, `PING` after 2 s without sending, a dead-socket verdict after a quiet period, an ACK
 * (`STATUS` with the same `TRANSACTION-ID`) for every server `MESSAGE`, duplicates dropped for 30 s, and
 * reconnection by `socketId` (no second `CONNECT`) when the session info enables it.
 */
import { TypedEmitter } from '@parley/events';
import {
  decodeRumorFrame,
  encodeRumorFrame,
  type RumorFrame,
  RumorHeader,
  RumorType,
  rumorTypeName,
} from '@parley/protocol';
import type { Logger } from '../logger.js';
import type { ReconnectPolicy } from './reconnect-policy.js';
import type { SignalingTransport, SignalingTransportFactory } from './transport.js';

/** Why the socket ended for good. */
export type RumorCloseReason = 'clientDisconnected' | 'networkDisconnected';

/** Events of a {@link RumorSocket}. */
export type RumorSocketEvents = {
  /** A server `MESSAGE` (already acknowledged, never a duplicate). */
  message: [frame: RumorFrame];
  /** A server `STATUS`: the reply to one of the client's requests. */
  status: [frame: RumorFrame];
  /** The socket dropped and the client is trying to re-open it. */
  reconnecting: [];
  /** A re-opened socket received its first frame: the connection is back. */
  reconnected: [];
  /** The socket ended for good. */
  closed: [reason: RumorCloseReason];
};

/** Timers of the Rumor layer, in milliseconds. */
export interface RumorTimers {
  /** Send a `PING` after this long without sending. Default 2000. */
  pingIntervalMs: number;
  /** Declare the socket dead after this long without receiving. Default 5900 with reconnection, else 49900. */
  disconnectThresholdMs: number;
  /** Give up opening a socket after this long. Default 15000. */
  connectTimeoutMs: number;
}

/** What a {@link RumorSocket} needs. */
export interface RumorSocketOptions {
  /** The session info's `messaging_url`. */
  url: string;
  /** The client-chosen connection ID (the `uniqueId` of `CONNECT`). */
  connectionId: string;
  /** The session info's `symphony_address`. */
  symphonyAddress: string;
  /** The session topic to `SUBSCRIBE` to. */
  topic: string;
  /** Whether the session info enables reconnection by `socketId`. */
  reconnection: boolean;
  transportFactory: SignalingTransportFactory;
  reconnectPolicy: ReconnectPolicy;
  timers: RumorTimers;
  logger: Logger;
  newId: () => string;
  now: () => number;
}

/** How long a server transaction ID is remembered, to drop re-sent duplicates. */
const DEDUPE_WINDOW_MS = 30_000;

type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** One client's Rumor socket, across reconnections. */
export class RumorSocket extends TypedEmitter<RumorSocketEvents> {
  readonly #options: RumorSocketOptions;
  readonly #socketId: string;
  readonly #seen = new Map<string, number>();
  #state: State = 'idle';
  #transport: SignalingTransport | null = null;
  #pingTimer: ReturnType<typeof setTimeout> | undefined;
  #deadTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #droppedAt = 0;
  #retryCount = 0;
  /** True between a reconnect attempt's open and its first received frame. */
  #awaitingFirstFrame = false;

  constructor(options: RumorSocketOptions) {
    super();
    this.#options = options;
    this.#socketId = options.newId();
  }

  /** Whether frames can be sent now. */
  get isOpen(): boolean {
    return this.#state === 'open' && !this.#awaitingFirstFrame;
  }

  /** Whether the socket dropped and is being re-opened. */
  get isReconnecting(): boolean {
    return this.#state === 'reconnecting' || (this.#state === 'open' && this.#awaitingFirstFrame);
  }

  /** Opens the socket and sends `CONNECT` and `SUBSCRIBE`. Rejects when the socket cannot be opened. */
  open(): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new Error('the socket was already opened'));
    this.#state = 'connecting';
    const url = this.#options.reconnection ? this.#url(false) : this.#options.url;
    return new Promise((resolve, reject) => {
      const transport = this.#options.transportFactory(url);
      this.#transport = transport;
      const timer = setTimeout(() => {
        transport.close(4010, 'Connect timeout');
        fail(`the signaling socket did not open within ${this.#options.timers.connectTimeoutMs} ms`);
      }, this.#options.timers.connectTimeoutMs);
      const fail = (message: string): void => {
        clearTimeout(timer);
        if (this.#state !== 'connecting') return;
        this.#state = 'closed';
        this.#transport = null;
        reject(new Error(message));
      };
      transport.once('open', () => {
        clearTimeout(timer);
        if (this.#state !== 'connecting') return;
        this.#state = 'open';
        this.#wire(transport);
        this.#send({
          type: RumorType.Connect,
          to: [],
          headers: {
            [RumorHeader.UniqueId]: this.#options.connectionId,
            [RumorHeader.TransactionId]: this.#options.newId(),
            [RumorHeader.NotifyDisconnectAddress]: this.#options.symphonyAddress,
          },
          body: '',
        });
        this.#send({ type: RumorType.Subscribe, to: [this.#options.topic], headers: {}, body: '' });
        this.#options.logger.debug('signaling socket open', { url });
        resolve();
      });
      transport.once('close', (code, reason) =>
        fail(`the signaling socket closed while opening (${code}${reason ? ` ${reason}` : ''})`),
      );
    });
  }

  /** Sends a frame; returns false (and sends nothing) while the socket is not usable. */
  send(frame: RumorFrame): boolean {
    if (!this.isOpen) return false;
    this.#send(frame);
    return true;
  }

  /** Says goodbye (`DISCONNECT`) and closes with 1000. Idempotent. */
  disconnect(): void {
    if (this.#state === 'closed' || this.#state === 'idle') return;
    if (this.#state === 'open') {
      this.#send({ type: RumorType.Disconnect, to: [], headers: { [RumorHeader.Reconnect]: '' }, body: '' });
    }
    this.#end(
      'clientDisconnected',
      1000,
      'The connection successfully completed the purpose for which it was created',
    );
  }

  /** Drops the current socket as if the network failed (used when the session detects a dead peer). */
  drop(code = 4010, reason = 'No activity'): void {
    const transport = this.#transport;
    if (!transport || (this.#state !== 'open' && this.#state !== 'reconnecting')) return;
    this.#detach();
    transport.close(code, reason);
    this.#onDrop(code);
  }

  #url(reconnect: boolean): string {
    const { url } = this.#options;
    const separator = url.includes('?') ? '&' : '?';
    const query = reconnect
      ? `socketId=${this.#socketId}&reconnect=true&attempt=${this.#options.newId()}`
      : `socketId=${this.#socketId}&attempt=${this.#options.newId()}`;
    return `${url}${separator}${query}`;
  }

  #wire(transport: SignalingTransport): void {
    transport.on('message', (data) => this.#onData(transport, data));
    transport.on('close', (code) => {
      if (transport !== this.#transport) return;
      this.#detach();
      this.#onDrop(code);
    });
    this.#armPing();
    this.#armDead();
  }

  #detach(): void {
    this.#transport?.removeAllListeners();
    this.#transport = null;
    clearTimeout(this.#pingTimer);
    clearTimeout(this.#deadTimer);
  }

  #onDrop(code: number): void {
    if (this.#state === 'closed') return;
    if (!this.#options.reconnection) {
      this.#options.logger.warn('signaling socket closed; reconnection is not enabled', { code });
      this.#end('networkDisconnected');
      return;
    }
    if (this.#state !== 'reconnecting' && !this.#awaitingFirstFrame) {
      this.#state = 'reconnecting';
      this.#droppedAt = this.#options.now();
      this.#retryCount = 0;
      this.#options.logger.info('signaling socket dropped; reconnecting', { code });
      this.emit('reconnecting');
    } else {
      this.#state = 'reconnecting';
      this.#retryCount++;
    }
    this.#awaitingFirstFrame = false;
    this.#scheduleAttempt();
  }

  #scheduleAttempt(): void {
    const elapsedMs = this.#options.now() - this.#droppedAt;
    const delay = this.#options.reconnectPolicy.nextRetryDelayInMs({
      retryCount: this.#retryCount,
      elapsedMs,
    });
    if (delay === null) {
      this.#options.logger.warn('giving up reconnecting', { attempts: this.#retryCount, elapsedMs });
      this.#end('networkDisconnected');
      return;
    }
    this.#retryTimer = setTimeout(() => this.#attempt(), delay);
  }

  #attempt(): void {
    if (this.#state !== 'reconnecting') return;
    const url = this.#url(true);
    this.#options.logger.debug('reconnect attempt', { attempt: this.#retryCount + 1 });
    const transport = this.#options.transportFactory(url);
    this.#transport = transport;
    const timer = setTimeout(() => {
      if (transport !== this.#transport) return;
      this.#detach();
      transport.close(4010, 'Connect timeout');
      this.#onDrop(4010);
    }, this.#options.timers.connectTimeoutMs);
    transport.once('open', () => {
      clearTimeout(timer);
      if (transport !== this.#transport) return;
      this.#state = 'open';
      this.#awaitingFirstFrame = true;
      this.#wire(transport);
      // Any frame from the server proves the link; a PING makes the server answer at once.
      this.#send({ type: RumorType.Ping, to: [], headers: {}, body: '' });
    });
    transport.once('close', (code) => {
      clearTimeout(timer);
      if (transport !== this.#transport || this.#state !== 'reconnecting') return;
      // Refused before opening (e.g. the gateway no longer knows the socketId): try again per the policy.
      this.#transport = null;
      this.#onDrop(code);
    });
  }

  #onData(transport: SignalingTransport, data: Uint8Array): void {
    if (transport !== this.#transport) return;
    this.#armDead();
    if (this.#awaitingFirstFrame) {
      this.#awaitingFirstFrame = false;
      this.#options.logger.info('signaling socket reconnected', { attempts: this.#retryCount + 1 });
      this.emit('reconnected');
    }
    let frame: RumorFrame;
    try {
      frame = decodeRumorFrame(data);
    } catch (error) {
      this.#options.logger.warn('dropping an undecodable frame', { error: String(error) });
      return;
    }
    this.#options.logger.debug('frame in', { type: rumorTypeName(frame.type), to: frame.to });
    switch (frame.type) {
      case RumorType.Status:
        this.emit('status', frame);
        return;
      case RumorType.Message:
        this.#onMessage(frame);
        return;
      default:
        // PONG and anything else only prove the link is alive.
        return;
    }
  }

  #onMessage(frame: RumorFrame): void {
    const transactionId = frame.headers[RumorHeader.TransactionId];
    if (transactionId !== undefined) {
      // Always ACK, even a duplicate: the server re-sends until it sees an ACK.
      const from = frame.headers[RumorHeader.FromAddress] ?? '';
      this.#send({
        type: RumorType.Status,
        to: [from],
        headers: { [RumorHeader.TransactionId]: transactionId },
        body: '',
      });
      if (this.#isDuplicate(transactionId)) return;
    }
    this.emit('message', frame);
  }

  #isDuplicate(transactionId: string): boolean {
    const now = this.#options.now();
    for (const [id, seenAt] of this.#seen) {
      if (now - seenAt < DEDUPE_WINDOW_MS) break;
      this.#seen.delete(id);
    }
    if (this.#seen.has(transactionId)) return true;
    this.#seen.set(transactionId, now);
    return false;
  }

  #send(frame: RumorFrame): void {
    this.#transport?.send(encodeRumorFrame(frame));
    this.#armPing();
  }

  #armPing(): void {
    clearTimeout(this.#pingTimer);
    this.#pingTimer = setTimeout(
      () => this.#send({ type: RumorType.Ping, to: [], headers: {}, body: '' }),
      this.#options.timers.pingIntervalMs,
    );
  }

  #armDead(): void {
    clearTimeout(this.#deadTimer);
    this.#deadTimer = setTimeout(() => {
      this.#options.logger.warn('no frame received; the signaling socket is considered dead', {
        thresholdMs: this.#options.timers.disconnectThresholdMs,
      });
      this.drop(4010, 'No activity');
    }, this.#options.timers.disconnectThresholdMs);
  }

  #end(reason: RumorCloseReason, code?: number, message?: string): void {
    if (this.#state === 'closed') return;
    const transport = this.#transport;
    this.#detach();
    clearTimeout(this.#retryTimer);
    this.#state = 'closed';
    this.#awaitingFirstFrame = false;
    transport?.close(code ?? 1000, message ?? '');
    this.emit('closed', reason);
  }
}
