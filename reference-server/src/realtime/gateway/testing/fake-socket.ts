/**
 * Test doubles for the Rumor layer: a socket that records the frames a {@link RumorClient} writes and
 * feeds it frames from the "client", and a client with test-friendly limits.
 */
import { EventEmitter } from 'node:events';
import {
  decodeRumorFrame,
  encodeRumorFrame,
  type RumorFrame,
  RumorHeader,
  RumorType,
} from '@parley/protocol';
import type WebSocket from 'ws';
import { silentLogger } from '../../logger.js';
import { RumorClient } from '../rumor-client.js';
import { TransactionIdSource } from '../transaction-ids.js';
import { WriteBatch } from '../write-batch.js';

/** The part of a `ws` socket the client uses, recording what it is sent. */
export class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: RumorFrame[] = [];
  closedWith: number | null = null;
  send(data: Uint8Array): void {
    this.sent.push(decodeRumorFrame(data));
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  /** A frame from the client. */
  receive(frame: RumorFrame): void {
    this.emit('message', Buffer.from(encodeRumorFrame(frame)), true);
  }
  /** An ACK from the client. */
  ack(transactionId: string): void {
    this.receive({
      type: RumorType.Status,
      to: [],
      headers: { [RumorHeader.TransactionId]: transactionId },
      body: '',
    });
  }
  /** The MESSAGE frames written so far. */
  get messages(): RumorFrame[] {
    return this.sent.filter((frame) => frame.type === RumorType.Message);
  }
}

/** A client with generous limits, transaction IDs `t.0`, `t.1`, … and no idle timeout unless given. */
export function newClient(overrides: { idleTimeoutMs?: number; batch?: WriteBatch } = {}): RumorClient {
  return new RumorClient({
    socketId: 'sock-1',
    serverAddress: 'symphony.test',
    maxFrameBytes: 1 << 20,
    reconnectGraceMs: 1000,
    idleTimeoutMs: overrides.idleTimeoutMs ?? 0,
    rateLimitPerSecond: 1000,
    rateLimitBurst: 1000,
    maxUnacked: 100,
    maxCachedReplyBytes: 1 << 20,
    nextTransactionId: new TransactionIdSource('t.').next,
    writeBatch: overrides.batch ?? new WriteBatch(),
    logger: silentLogger,
  });
}

/** Attaches a socket to the client and says CONNECT as connection `c1`. */
export function connected(client: RumorClient, socket = new FakeSocket()): FakeSocket {
  client.attach(socket as unknown as WebSocket, false);
  socket.receive({ type: RumorType.Connect, to: [], headers: { [RumorHeader.UniqueId]: 'c1' }, body: '' });
  return socket;
}
