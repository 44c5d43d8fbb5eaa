import { RumorHeader, RumorType } from '@parley/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { CloseCode } from '../close-codes.js';
import type { OutboundMessage } from '../session/types.js';
import { connected, FakeSocket, newClient } from './testing/fake-socket.js';
import { WriteBatch } from './write-batch.js';

const message = (n: number): OutboundMessage => ({
  method: 'signal',
  uri: `/v2/partner/1/session/s/signal/${n}`,
  content: { type: 'n', data: String(n) },
});
const bigBody = { connection: Array.from({ length: 40 }, (_, i) => ({ id: `connection-${i}`, data: 'x' })) };

afterEach(() => {
  vi.useRealTimers();
});

describe('RumorClient', () => {
  it('sends each message with a counter transaction ID from the source, addressed to the client', () => {
    const client = newClient();
    const socket = connected(client);
    client.send(message(1));
    client.send(message(2));
    expect(socket.messages.map((f) => [f.to, f.headers[RumorHeader.TransactionId]])).toEqual([
      [['c1'], 't.0'],
      [['c1'], 't.1'],
    ]);
    expect(JSON.parse(socket.messages[1]?.body ?? '')).toEqual({ ...message(2) });
  });

  it('releases a large reply once the client acknowledges a message written after it', () => {
    const client = newClient();
    const socket = connected(client);
    client.send(message(0)); // t.0, written before the reply
    client.transactions.begin('join');
    client.transactions.complete('join', client.reply('join', 200, bigBody));
    client.send(message(1)); // t.1, written after it
    expect(client.transactions.replyBytes).toBeGreaterThan(1024);
    socket.ack('t.0');
    expect(client.transactions.get('join')?.state).toBe('done');
    socket.ack('t.1');
    expect(client.transactions.get('join')).toEqual({ state: 'released', why: 'delivered' });
    expect(client.transactions.replyBytes).toBe(0);
  });

  it('keeps a reply written to a dropped socket, even when re-sent messages are acknowledged on the new one', () => {
    const client = newClient();
    const first = connected(client);
    client.send(message(0));
    client.transactions.complete('join', client.reply('join', 200, bigBody));
    first.emit('close', 1006);
    const second = new FakeSocket();
    client.attach(second as unknown as WebSocket, true);
    // PONG first, then the unacknowledged message again with its transaction ID.
    expect(second.sent.map((f) => f.type)).toEqual([RumorType.Pong, RumorType.Message]);
    expect(second.messages[0]?.headers[RumorHeader.TransactionId]).toBe('t.0');
    second.ack('t.0');
    expect(client.transactions.get('join')?.state).toBe('done');
  });

  it('corks the transport while writing, until the end of the turn', async () => {
    const batch = new WriteBatch();
    const client = newClient({ batch });
    const socket = new FakeSocket();
    const transport = { corks: 0, cork: () => transport.corks++, uncork: () => transport.corks-- };
    client.attach(socket as unknown as WebSocket, false, transport);
    socket.receive({ type: RumorType.Connect, to: [], headers: { [RumorHeader.UniqueId]: 'c1' }, body: '' });
    client.send(message(1));
    client.send(message(2));
    expect(transport.corks).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.corks).toBe(0);
  });

  it('closes a socket that goes silent for the idle timeout, however many frames came before', () => {
    vi.useFakeTimers();
    const client = newClient({ idleTimeoutMs: 1000 });
    const socket = connected(client);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(900);
      socket.receive({ type: RumorType.Ping, to: [], headers: {}, body: '' });
    }
    expect(socket.closedWith).toBeNull();
    vi.advanceTimersByTime(1001);
    expect(socket.closedWith).toBe(CloseCode.IdleTimeout);
  });
});
