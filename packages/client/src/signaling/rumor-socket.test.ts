import { RAPTOR_CONTENT_TYPE, type RumorFrame, RumorHeader, RumorType } from '@parley/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { FakeServer } from '../testing/fake-server.js';
import { DefaultReconnectPolicy } from './reconnect-policy.js';
import { RumorSocket } from './rumor-socket.js';

const logger = createLogger({ error() {}, warn() {}, info() {}, debug() {} }, 'off', 'test');

function socket(server: FakeServer, reconnection = true, policy = new DefaultReconnectPolicy()) {
  return new RumorSocket({
    url: 'ws://fake/rumorwebsocketsv2',
    connectionId: 'c1',
    symphonyAddress: '/symphony.parley',
    topic: server.uri(),
    reconnection,
    transportFactory: server.transportFactory,
    reconnectPolicy: policy,
    timers: { pingIntervalMs: 2000, disconnectThresholdMs: 5900, connectTimeoutMs: 15_000 },
    logger,
    newId: () => crypto.randomUUID(),
    now: () => Date.now(),
  });
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

afterEach(() => vi.useRealTimers());

describe('RumorSocket', () => {
  it('ACKs every server MESSAGE to its sender and drops duplicates', async () => {
    const server = new FakeServer();
    const rumor = socket(server);
    const messages = vi.fn();
    rumor.on('message', messages);
    await rumor.open();
    await flush();
    const client = server.clients[0];
    if (!client) throw new Error('no client');
    const frame: RumorFrame = {
      type: RumorType.Message,
      to: ['c1'],
      headers: {
        [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
        [RumorHeader.TransactionId]: 'tx-1',
        [RumorHeader.FromAddress]: 'symphony.parley',
      },
      body: JSON.stringify({ method: 'signal', uri: server.uri(['signal', 's']), content: {} }),
    };
    client.transport.deliver(frame);
    client.transport.deliver(frame);
    await flush();
    expect(messages).toHaveBeenCalledOnce();
    const acks = server.received
      .filter((entry) => entry.frame.type === RumorType.Status)
      .map((entry) => entry.frame);
    expect(acks).toHaveLength(2);
    expect(acks[0]).toMatchObject({
      to: ['symphony.parley'],
      headers: { [RumorHeader.TransactionId]: 'tx-1' },
    });
    rumor.disconnect();
  });

  it('PINGs after 2 s without sending and declares the socket dead after 5.9 s of silence', async () => {
    vi.useFakeTimers();
    const server = new FakeServer();
    const rumor = socket(server, false);
    const closed = vi.fn();
    rumor.on('closed', closed);
    const opened = rumor.open();
    await vi.advanceTimersByTimeAsync(0);
    await opened;
    const client = server.clients[0];
    if (!client) throw new Error('no client');
    // A server that never answers: swallow everything it would deliver.
    client.transport.deliver = () => {};
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.received.filter((entry) => entry.frame.type === RumorType.Ping)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4000);
    expect(closed).toHaveBeenCalledWith('networkDisconnected');
  });

  it('reopens with the same socketId and reconnect=true, without a second CONNECT', async () => {
    const server = new FakeServer();
    const rumor = socket(server);
    const events: string[] = [];
    rumor.on('reconnecting', () => events.push('reconnecting'));
    rumor.on('reconnected', () => events.push('reconnected'));
    await rumor.open();
    await flush();
    const client = server.clients[0];
    if (!client) throw new Error('no client');
    const firstUrl = new URL(client.transport.url);
    client.transport.serverClose(1006, 'gone');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const secondUrl = new URL(client.transport.url);
    expect(events).toEqual(['reconnecting', 'reconnected']);
    expect(secondUrl.searchParams.get('socketId')).toBe(firstUrl.searchParams.get('socketId'));
    expect(secondUrl.searchParams.get('reconnect')).toBe('true');
    expect(secondUrl.searchParams.get('attempt')).not.toBe(firstUrl.searchParams.get('attempt'));
    expect(server.received.filter((entry) => entry.frame.type === RumorType.Connect)).toHaveLength(1);
    expect(rumor.isOpen).toBe(true);
    rumor.disconnect();
  });

  it('gives up when the policy says so', async () => {
    const server = new FakeServer();
    server.refuseReconnect = true;
    const rumor = socket(server, true, new DefaultReconnectPolicy({ delaysMs: [0, 1], maxDurationMs: 20 }));
    const closed = vi.fn();
    rumor.on('closed', closed);
    await rumor.open();
    server.clients[0]?.transport.serverClose(1006, 'gone');
    await vi.waitFor(() => expect(closed).toHaveBeenCalledWith('networkDisconnected'));
  });

  it('does not reconnect when the session info disables it', async () => {
    const server = new FakeServer();
    const rumor = socket(server, false);
    const events: string[] = [];
    rumor.on('reconnecting', () => events.push('reconnecting'));
    rumor.on('closed', (reason) => events.push(reason));
    await rumor.open();
    expect(server.clients[0]?.transport.url).toBe('ws://fake/rumorwebsocketsv2');
    server.clients[0]?.transport.serverClose(1006, 'gone');
    await flush();
    expect(events).toEqual(['networkDisconnected']);
  });
});

describe('DefaultReconnectPolicy', () => {
  it('backs off and stops at the window', () => {
    const policy = new DefaultReconnectPolicy({ delaysMs: [0, 100, 500], maxDurationMs: 1000 });
    expect(policy.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0 })).toBe(0);
    expect(policy.nextRetryDelayInMs({ retryCount: 1, elapsedMs: 10 })).toBe(100);
    expect(policy.nextRetryDelayInMs({ retryCount: 9, elapsedMs: 400 })).toBe(500);
    expect(policy.nextRetryDelayInMs({ retryCount: 9, elapsedMs: 600 })).toBeNull();
    expect(() => new DefaultReconnectPolicy({ delaysMs: [] })).toThrow(RangeError);
  });
});
