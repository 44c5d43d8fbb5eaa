import { randomUUID } from 'node:crypto';
import { encodeRumorFrame, RumorHeader, RumorType, sessionTopic } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealtimeFixture, startRealtimeFixture } from '../../../test/e2e/support/realtime-fixture.js';
import { RumorTestClient } from '../../../test/e2e/support/rumor-test-client.js';
import { CloseCode } from '../close-codes.js';

let fixture: RealtimeFixture;
let sessionId: string;

beforeAll(async () => {
  fixture = await startRealtimeFixture({
    limits: {
      reconnectGraceMs: 300,
      idleTimeoutMs: 1000,
      rateLimitPerSecond: 20,
      rateLimitBurst: 40,
      maxFrameBytes: 16 * 1024,
    },
  });
  sessionId = await fixture.createSession();
});
afterAll(() => fixture.close());

describe('the Rumor transport', () => {
  it('answers PING with PONG', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.hello(randomUUID(), sessionTopic(fixture.project.apiKey, sessionId));
    client.send({ type: RumorType.Ping, to: [], headers: {}, body: '' });
    await client.frame((f) => f.type === RumorType.Pong);
    await client.drop();
  });

  it('accepts the proxied path and refuses other paths', async () => {
    const proxied = await RumorTestClient.open(
      fixture.wsUrl.replace('/rumorwebsocketsv2', '/127.0.0.1:1/rumorwebsocketsv2'),
    );
    proxied.hello(randomUUID(), sessionTopic(fixture.project.apiKey, sessionId));
    proxied.send({ type: RumorType.Ping, to: [], headers: {}, body: '' });
    await proxied.frame((f) => f.type === RumorType.Pong);
    await proxied.drop();
    await expect(
      RumorTestClient.open(fixture.wsUrl.replace('rumorwebsocketsv2', 'elsewhere')),
    ).rejects.toThrow(/404/);
  });

  it('closes with 1003 on a text frame', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.sendRaw('{"method":"create"}');
    expect((await client.closed).code).toBe(CloseCode.UnsupportedData);
  });

  it('closes with 1008 on a malformed binary frame', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.sendRaw(new Uint8Array([0, 0, 0, 9, 0, 0, 2, 1, 0, 5]));
    expect((await client.closed).code).toBe(CloseCode.PolicyViolation);
  });

  it('closes with 1009 on a frame above the size cap', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.hello(randomUUID(), sessionTopic(fixture.project.apiKey, sessionId));
    client.send({ type: RumorType.Message, to: [], headers: {}, body: 'x'.repeat(20 * 1024) });
    expect((await client.closed).code).toBe(CloseCode.TooLarge);
  });

  it('closes with 1008 on a MESSAGE before CONNECT', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.sendRequest('create', fixture.uri(sessionId, ['connection', 'abc']), {}, { transactionId: 't1' });
    expect((await client.closed).code).toBe(CloseCode.PolicyViolation);
  });

  it('closes with 1008 when the first frame is not CONNECT', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.send({ type: RumorType.Ping, to: [], headers: {}, body: '' });
    expect((await client.closed).code).toBe(CloseCode.PolicyViolation);
  });

  it('closes with 1008 on a second CONNECT', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.hello(randomUUID(), sessionTopic(fixture.project.apiKey, sessionId));
    client.send({ type: RumorType.Connect, to: [], headers: { uniqueId: randomUUID() }, body: '' });
    expect((await client.closed).code).toBe(CloseCode.PolicyViolation);
  });

  it('closes with 4001 when the client goes silent', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.hello(randomUUID(), sessionTopic(fixture.project.apiKey, sessionId));
    expect((await client.closed).code).toBe(CloseCode.IdleTimeout);
  });

  it('closes with 1008 on an invalid CONNECT uniqueId', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.send({ type: RumorType.Connect, to: [], headers: { uniqueId: 'a/b' }, body: '' });
    expect((await client.closed).code).toBe(CloseCode.PolicyViolation);
  });

  it('answers a request without TRANSACTION-ID with 400', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.hello(randomUUID(), sessionTopic(fixture.project.apiKey, sessionId));
    client.send({ type: RumorType.Message, to: ['/symphony.parley'], headers: {}, body: '{}' });
    const status = await client.frame((f) => f.type === RumorType.Status);
    expect(status.headers[RumorHeader.Status]).toBe('400');
    await client.drop();
  });

  it('rate-limits a flood with 429 and then closes with 1008, leaving others unaffected', async () => {
    const bystander = await fixture.join(sessionId);
    const flooder = await fixture.join(sessionId);
    const uri = fixture.uri(sessionId, ['signal', 'x']);
    for (let i = 0; i < 200; i++)
      flooder.client.sendRequest(
        'signal',
        uri,
        { type: 'f', data: String(i) },
        { transactionId: `flood-${i}` },
      );
    const limited = await flooder.client.frame(
      (f) => f.type === RumorType.Status && f.headers[RumorHeader.Status] === '429',
    );
    expect(JSON.parse(limited.body)).toEqual({ reason: expect.stringMatching(/Too many/) });
    expect((await flooder.client.closed).code).toBe(CloseCode.PolicyViolation);
    const destroyed = await bystander.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith(`/connection/${flooder.connectionId}`),
    );
    expect(destroyed.reason).toBe('networkDisconnected');
    const reply = await bystander.client.request('signal', fixture.uri(sessionId, ['signal', 'ok']), {
      type: 'ok',
      data: '',
    });
    expect(reply.status).toBe(200);
    await bystander.client.goodbye();
  });
});

describe('acknowledgements, duplicates and reconnection', () => {
  it('answers a re-sent request from the cache without running it twice', async () => {
    const { client, connectionId } = await fixture.join(sessionId);
    const uri = fixture.uri(sessionId, ['connection', connectionId], ['signal', 'once']);
    const first = await client.request(
      'signal',
      uri,
      { type: 'once', data: '1' },
      { transactionId: 'dup-1' },
    );
    client.sendRequest('signal', uri, { type: 'once', data: '1' }, { transactionId: 'dup-1' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const replies = client.frames.filter(
      (f) => f.type === RumorType.Status && f.headers[RumorHeader.TransactionId] === 'dup-1',
    );
    expect(replies).toHaveLength(2);
    expect(replies[1]?.headers[RumorHeader.Status]).toBe(String(first.status));
    expect(client.messages.filter((m) => m.method === 'signal')).toHaveLength(1);
    await client.goodbye();
  });

  it('uses a fresh transaction ID for every server message', async () => {
    const { client, connectionId } = await fixture.join(sessionId);
    const uri = fixture.uri(sessionId, ['connection', connectionId], ['signal', 's']);
    await client.request('signal', uri, { type: 'a', data: '' });
    await client.request('signal', uri, { type: 'b', data: '' });
    await client.message((m) => m.method === 'signal' && (m.content as { type: string }).type === 'b');
    const ids = client.messages.map((m) => m.transactionId);
    expect(new Set(ids).size).toBe(ids.length);
    await client.goodbye();
  });

  it('re-attaches by socketId, re-sends unacknowledged messages and keeps the connection', async () => {
    const socketId = randomUUID();
    const watcher = await fixture.join(sessionId);
    const joined = await fixture.join(sessionId, 'publisher', { socketId });
    joined.client.autoAck = false;
    await watcher.client.request(
      'signal',
      fixture.uri(sessionId, ['connection', joined.connectionId], ['signal', '1']),
      {
        type: 'hello',
        data: 'while-unacked',
      },
    );
    const original = await joined.client.message((m) => m.method === 'signal');
    await joined.client.drop();

    const again = await RumorTestClient.open(
      `${fixture.wsUrl}?socketId=${socketId}&reconnect=true&attempt=${randomUUID()}`,
    );
    again.connectionId = joined.connectionId;
    const resent = await again.message((m) => m.method === 'signal');
    expect(resent.transactionId).toBe(original.transactionId);
    // The connection survived: requests work without a new CONNECT or connection create.
    const reply = await again.request('signal', fixture.uri(sessionId, ['signal', '2']), {
      type: 'back',
      data: '',
    });
    expect(reply.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(
      watcher.client.messages.some(
        (m) => m.uri.endsWith(`/connection/${joined.connectionId}`) && m.method === 'deleted',
      ),
    ).toBe(false);
    await again.goodbye();
    const gone = await watcher.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith(`/connection/${joined.connectionId}`),
    );
    expect(gone.reason).toBe('clientDisconnected');
    await watcher.client.goodbye();
  });

  it('ends a dropped connection with networkDisconnected after the grace window', async () => {
    const watcher = await fixture.join(sessionId);
    const joined = await fixture.join(sessionId, 'publisher', { socketId: randomUUID() });
    await joined.client.drop();
    const gone = await watcher.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith(`/connection/${joined.connectionId}`),
      2000,
    );
    expect(gone.reason).toBe('networkDisconnected');
    await watcher.client.goodbye();
  });

  it('refuses to re-attach an unknown socketId with HTTP 404', async () => {
    await expect(
      RumorTestClient.open(`${fixture.wsUrl}?socketId=${randomUUID()}&reconnect=true`),
    ).rejects.toThrow(/404/);
  });
});

it('keeps encodeRumorFrame and the gateway in agreement on empty bodies', () => {
  expect(encodeRumorFrame({ type: RumorType.Pong, to: [], headers: {}, body: '' })).toHaveLength(9);
});
