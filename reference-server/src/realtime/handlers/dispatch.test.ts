import { RumorHeader, RumorType } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { connected, newClient } from '../gateway/testing/fake-socket.js';
import { silentLogger } from '../logger.js';
import type { HandlerDeps } from './context.js';
import { handleRequest } from './dispatch.js';

/** Repeats are answered from the cache before any handler runs: these deps are never used otherwise. */
const deps = { logger: silentLogger } as unknown as HandlerDeps;

const request = (transactionId: string) => ({
  type: RumorType.Message,
  to: ['symphony.test'],
  headers: { [RumorHeader.TransactionId]: transactionId },
  body: '{"method":"signal","uri":"/v2/partner/1/session/s/signal/x","content":{}}',
});

describe('handleRequest with repeated transactions', () => {
  it('re-sends a kept reply, byte for byte, without running the request again', async () => {
    const client = newClient();
    const socket = connected(client);
    client.transactions.complete('r1', client.reply('r1', 200, { ok: true }));
    await handleRequest(client, request('r1'), deps);
    const replies = socket.sent.filter((f) => f.type === RumorType.Status);
    expect(replies).toHaveLength(2);
    expect(replies[1]).toEqual(replies[0]);
  });

  it('answers a repeat whose reply was released with an error instead of silence', async () => {
    const client = newClient();
    const socket = connected(client);
    const big = { connection: Array.from({ length: 50 }, (_, i) => ({ id: `connection-${i}` })) };
    client.transactions.complete('join', client.reply('join', 200, big));
    client.send({ method: 'created', uri: '/v2/partner/1/session/s/connection/c1', content: {} });
    socket.ack('t.0');
    expect(client.transactions.get('join')?.state).toBe('released');
    await handleRequest(client, request('join'), deps);
    const last = socket.sent.at(-1);
    expect(last?.type).toBe(RumorType.Status);
    expect(last?.headers[RumorHeader.Status]).toBe('500');
    expect(JSON.parse(last?.body ?? '')).toEqual({
      reason: 'The reply to this repeated request is no longer available',
    });
  });

  it('ignores a repeat of a request still being handled', async () => {
    const client = newClient();
    const socket = connected(client);
    client.transactions.begin('slow');
    const before = socket.sent.length;
    await handleRequest(client, request('slow'), deps);
    expect(socket.sent.length).toBe(before);
  });
});
