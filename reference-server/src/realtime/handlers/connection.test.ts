import { randomUUID } from 'node:crypto';
import { sessionTopic } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealtimeFixture, startRealtimeFixture } from '../../../test/e2e/support/realtime-fixture.js';
import { RumorTestClient } from '../../../test/e2e/support/rumor-test-client.js';

let fixture: RealtimeFixture;
let sessionId: string;

beforeAll(async () => {
  fixture = await startRealtimeFixture();
  sessionId = await fixture.createSession();
});
afterAll(() => fixture.close());

/** Opens a socket, says hello and sends a connection create with the given token. */
async function tryJoin(token: string | undefined, options: { session?: string; uriId?: string } = {}) {
  const client = await RumorTestClient.open(fixture.wsUrl);
  const connectionId = randomUUID();
  const target = options.session ?? sessionId;
  client.hello(connectionId, sessionTopic(fixture.project.apiKey, target));
  const reply = await client.request(
    'create',
    fixture.uri(target, ['connection', options.uriId ?? connectionId]),
    { userAgent: 'test' },
    { headers: token === undefined ? {} : { 'X-TB-TOKEN-AUTH': token } },
  );
  return { client, reply, connectionId };
}

describe('connection create', () => {
  it('answers the session state, then announces the connection to everyone', async () => {
    const alice = await fixture.join(sessionId, 'moderator', { data: 'name=Alice' });
    expect(alice.reply.body).toEqual({
      connection: [
        {
          id: alice.connectionId,
          creationTime: expect.any(Number),
          data: 'name=Alice',
          capablities: {},
          permissions: ['publish', 'subscribe', 'forceunpublish', 'forcedisconnect', 'forcemute'],
        },
      ],
      stream: [],
      archive: [],
    });
    const own = await alice.client.message(
      (m) => m.method === 'created' && m.uri.endsWith(alice.connectionId),
    );
    expect(own.from).toBe('symphony.parley');
    expect(own.content).toMatchObject({ id: alice.connectionId, data: 'name=Alice' });

    const bob = await fixture.join(sessionId, 'subscriber', { data: 'name=Bob' });
    expect(((bob.reply.body?.connection ?? []) as { id: string }[]).map((c) => c.id)).toEqual([
      alice.connectionId,
      bob.connectionId,
    ]);
    const seen = await alice.client.message(
      (m) => m.method === 'created' && m.uri.endsWith(bob.connectionId),
    );
    expect(seen.content).toMatchObject({ permissions: ['subscribe'] });
    await bob.client.goodbye();
    const left = await alice.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith(bob.connectionId),
    );
    expect(left.reason).toBe('clientDisconnected');
    await alice.client.goodbye();
  });

  it.each([
    ['no token', undefined, 403, /^Invalid token format: No token/],
    ['a malformed token', 'nonsense', 403, /^Invalid token format/],
  ])('refuses %s with 403', async (_name, token, status, reason) => {
    const { client, reply } = await tryJoin(token);
    expect(reply.status).toBe(status);
    expect(reply.body?.reason).toMatch(reason);
    await client.drop();
  });

  it('refuses a token of another session with 403', async () => {
    const other = await fixture.createSession();
    const { client, reply } = await tryJoin(fixture.token(other));
    expect(reply).toMatchObject({
      status: 403,
      body: { reason: 'Token does not match the session: The token is for another session' },
    });
    await client.drop();
  });

  it('refuses a connection ID other than the one given in CONNECT with 400', async () => {
    const { client, reply } = await tryJoin(fixture.token(sessionId), { uriId: randomUUID() });
    expect(reply.status).toBe(400);
    await client.drop();
  });

  it('refuses a connection ID already in the session with 409', async () => {
    const first = await fixture.join(sessionId);
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.hello(first.connectionId, sessionTopic(fixture.project.apiKey, sessionId));
    const reply = await client.request(
      'create',
      fixture.uri(sessionId, ['connection', first.connectionId]),
      {},
      {
        headers: { 'X-TB-TOKEN-AUTH': fixture.token(sessionId) },
      },
    );
    expect(reply.status).toBe(409);
    await client.drop();
    await first.client.goodbye();
  });

  it('refuses any other request before connection create with 403', async () => {
    const client = await RumorTestClient.open(fixture.wsUrl);
    client.hello(randomUUID(), sessionTopic(fixture.project.apiKey, sessionId));
    const reply = await client.request('signal', fixture.uri(sessionId, ['signal', '1']), {
      type: 'x',
      data: '',
    });
    expect(reply.status).toBe(403);
    await client.drop();
  });

  it('answers malformed messages with 400, foreign sessions with 403 and unknown methods with 200', async () => {
    const { client } = await fixture.join(sessionId);
    const other = await fixture.createSession();
    const bad = await client.request('signal', '/not/a/raptor/uri', {});
    expect(bad.status).toBe(400);
    const foreign = await client.request('signal', fixture.uri(other, ['signal', '1']), {
      type: 'x',
      data: '',
    });
    expect(foreign.status).toBe(403);
    const unknownStream = await client.request('update', fixture.uri(sessionId, ['stream', 'nope']), {
      reason: 'mute',
    });
    expect(unknownStream.status).toBe(404);
    const future = await client.request('migrate', fixture.uri(sessionId), {});
    expect(future.status).toBe(200);
    client.send({
      type: 2,
      to: ['/symphony.parley'],
      headers: { 'TRANSACTION-ID': 'bad-json' },
      body: '{not json',
    });
    expect((await client.status('bad-json')).status).toBe(400);
    await client.goodbye();
  });

  it('tells clients about archives: in the session state and as created/updated messages', async () => {
    const session = await fixture.createSession('routed');
    const alice = await fixture.join(session);
    const live = fixture.realtime.registry.get(session);
    live?.setArchive({ id: 'arch-1', name: 'Weekly', status: 'started' });
    const started = await alice.client.message(
      (m) => m.uri.endsWith('/archive/arch-1') && m.method === 'created',
    );
    expect(started.content).toEqual({ id: 'arch-1', name: 'Weekly', status: 'started' });
    const bob = await fixture.join(session);
    expect(bob.reply.body?.archive).toEqual([{ id: 'arch-1', name: 'Weekly', status: 'started' }]);
    live?.setArchive({ id: 'arch-1', name: 'Weekly', status: 'stopped' });
    const stopped = await bob.client.message(
      (m) => m.uri.endsWith('/archive/arch-1') && m.method === 'updated',
    );
    expect(stopped.content).toMatchObject({ status: 'stopped' });
    expect(live?.archives).toEqual([]);
    await alice.client.goodbye();
    await bob.client.goodbye();
  });

  it('reports session start and end through the registry', async () => {
    const session = await fixture.createSession();
    const events: string[] = [];
    const started = (s: { sessionId: string }) => s.sessionId === session && events.push('started');
    const ended = (s: { sessionId: string }) => s.sessionId === session && events.push('ended');
    fixture.realtime.registry.on('sessionStarted', started).on('sessionEnded', ended);
    const { client } = await fixture.join(session);
    expect(fixture.realtime.registry.get(session)?.connections).toHaveLength(1);
    await client.goodbye();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['started', 'ended']);
    expect(fixture.realtime.registry.get(session)).toBeUndefined();
    fixture.realtime.registry.off('sessionStarted', started).off('sessionEnded', ended);
  });
});
