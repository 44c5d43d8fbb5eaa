import { randomUUID } from 'node:crypto';
import { sessionTopic } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { RumorTestClient } from '../../../test/e2e/support/rumor-test-client.js';
import { openTokLive, vonageVideo } from '../../../test/e2e/support/sdk-clients.js';
import { projectAuth } from '../../testing/harness.js';

let fx: AppFixture;
beforeAll(async () => {
  fx = await startAppFixture();
});
afterAll(() => fx.close());

const list = async (sessionId: string) =>
  fx.harness.app.inject({
    method: 'GET',
    url: `/v2/project/${fx.harness.project.applicationId}/session/${sessionId}/connection`,
    headers: await projectAuth(fx.harness.project),
  });

describe('connections of a live session', () => {
  it('lists the connected clients, oldest first', async () => {
    const sessionId = await fx.createSession();
    expect((await list(sessionId)).json()).toMatchObject({ count: 0, items: [] });
    const alice = await fx.join(sessionId);
    const bob = await fx.join(sessionId);
    const res = await list(sessionId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      count: 2,
      projectId: fx.harness.project.applicationId,
      sessionId,
      items: [
        { connectionId: alice.connectionId, connectionState: 'Connected', createdAt: expect.any(Number) },
        { connectionId: bob.connectionId, connectionState: 'Connected', createdAt: expect.any(Number) },
      ],
    });
  });

  it('lists a socket that said CONNECT to the session as Connecting until its connection create succeeds', async () => {
    const sessionId = await fx.createSession();
    const otherSessionId = await fx.createSession();
    const alice = await fx.join(sessionId);
    const topic = sessionTopic(fx.harness.project.apiKey, sessionId);
    const open = () => RumorTestClient.open(`${fx.baseUrl.replace('http', 'ws')}/rumorwebsocketsv2`);
    // The reply to a request proves the CONNECT and SUBSCRIBE before it were processed.
    const settle = (client: RumorTestClient) => client.request('get', `${topic}/stream/none`);

    const joining = await open();
    const bobId = randomUUID();
    joining.hello(bobId, topic);
    await settle(joining);
    const elsewhere = await open();
    elsewhere.hello(randomUUID(), sessionTopic(fx.harness.project.apiKey, otherSessionId));
    await settle(elsewhere);

    const before = (await list(sessionId)).json();
    expect(before).toMatchObject({
      count: 2,
      items: [
        { connectionId: alice.connectionId, connectionState: 'Connected' },
        { connectionId: bobId, connectionState: 'Connecting', createdAt: expect.any(Number) },
      ],
    });

    const created = await joining.request(
      'create',
      `${topic}/connection/${bobId}`,
      { userAgent: 'live-connections-test' },
      { headers: { 'X-TB-TOKEN-AUTH': fx.token(sessionId) } },
    );
    expect(created.status).toBe(200);
    expect((await list(sessionId)).json().items).toEqual([
      expect.objectContaining({ connectionId: alice.connectionId, connectionState: 'Connected' }),
      expect.objectContaining({ connectionId: bobId, connectionState: 'Connected' }),
    ]);

    // A joining socket that leaves is no longer listed.
    expect((await list(otherSessionId)).json().count).toBe(1);
    await elsewhere.goodbye();
    // The server sees the close about when the client does; poll rather than race it.
    await vi.waitFor(async () =>
      expect((await list(otherSessionId)).json()).toMatchObject({ count: 0, items: [] }),
    );
    await joining.goodbye();
  });

  it('force-disconnects a client (opentok SDK): everyone learns forceDisconnected and the socket closes', async () => {
    const sessionId = await fx.createSession();
    const alice = await fx.join(sessionId);
    const bob = await fx.join(sessionId);
    await openTokLive(fx).forceDisconnect(sessionId, alice.connectionId);
    const seen = await bob.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith(alice.connectionId),
    );
    expect(seen.reason).toBe('forceDisconnected');
    expect((await alice.client.closed).code).toBe(1000);
    expect((await list(sessionId)).json().count).toBe(1);
  });

  it('force-disconnects with @vonage/video and answers 404 for a connection that is not there', async () => {
    const sessionId = await fx.createSession();
    const alice = await fx.join(sessionId);
    await vonageVideo(fx).disconnectClient(sessionId, alice.connectionId);
    expect((await alice.client.closed).code).toBe(1000);
    const res = await fx.harness.app.inject({
      method: 'DELETE',
      url: `/v2/project/${fx.harness.project.apiKey}/session/${sessionId}/connection/${alice.connectionId}`,
      headers: await projectAuth(fx.harness.project),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 40411 });
  });

  it('sends the session-monitoring webhooks in order', async () => {
    const received: { event: string; reason?: string }[] = [];
    const { createServer } = await import('node:http');
    const hooks = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    try {
      const address = hooks.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`;
      const project = fx.harness.project;
      await fx.harness.store.projects.update({
        ...project,
        callbackUrls: { session: url, connection: url, stream: url },
      });
      const sessionId = await fx.createSession();
      const alice = await fx.join(sessionId);
      await alice.client.request('create', `/v2/partner/${project.apiKey}/session/${sessionId}/stream/s1`, {
        name: 'cam',
        channel: [{ id: 'video1', type: 'video', active: true, source: 'screen' }],
      });
      await alice.client.goodbye();
      const deadline = Date.now() + 5000;
      while (received.length < 6 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received.map((r) => r.event)).toEqual([
        'sessionCreated',
        'connectionCreated',
        'streamCreated',
        'streamDestroyed',
        'connectionDestroyed',
        'sessionDestroyed',
      ]);
      expect(received[2]).toMatchObject({
        sessionId,
        projectId: project.apiKey,
        applicationId: project.applicationId,
        stream: {
          id: 's1',
          name: 'cam',
          videoType: 'screen',
          connection: { id: alice.connectionId, data: '' },
        },
      });
      expect(received[3]?.reason).toBe('clientDisconnected');
      expect(received[4]?.reason).toBe('clientDisconnected');
    } finally {
      await fx.harness.store.projects.update({ ...fx.harness.project, callbackUrls: {} });
      await new Promise<void>((resolve) => hooks.close(() => resolve()));
    }
  });
});
