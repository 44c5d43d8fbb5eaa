import { randomUUID } from 'node:crypto';
import { sessionTopic } from '@parley/protocol';
import OpenTok from 'opentok';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../test/e2e/support/app-fixture.js';
import { RumorTestClient } from '../../test/e2e/support/rumor-test-client.js';
import type { ProjectRecord } from '../store/types.js';
import { accountAuth } from '../testing/harness.js';
import { encodeSessionId } from '../tokens/session-id.js';

let fx: AppFixture;
beforeAll(async () => {
  fx = await startAppFixture();
});
afterAll(() => fx.close());

/** Joins a new session of `project` (not the fixture's own) over the signaling WebSocket. */
async function joinOther(project: ProjectRecord): Promise<RumorTestClient> {
  const now = Date.now();
  const sessionId = encodeSessionId({ ...project, location: null, createdAt: now });
  await fx.harness.store.sessions.create({
    sessionId,
    applicationId: project.applicationId,
    mediaMode: 'relayed',
    archiveMode: 'manual',
    location: null,
    e2ee: false,
    archiveName: null,
    archiveResolution: null,
    createdAt: now,
  });
  const client = await RumorTestClient.open(`${fx.baseUrl.replace('http', 'ws')}/rumorwebsocketsv2`);
  const connectionId = randomUUID();
  const topic = sessionTopic(project.apiKey, sessionId);
  client.hello(connectionId, topic);
  const reply = await client.request(
    'create',
    `${topic}/connection/${connectionId}`,
    { userAgent: 'install-test' },
    {
      headers: { 'X-TB-TOKEN-AUTH': new OpenTok(project.apiKey, project.apiSecret).generateToken(sessionId) },
    },
  );
  expect(reply.status).toBe(200);
  return client;
}

/** Waits until a client learns its own connection was force-disconnected and its socket closes. */
async function expectForcedOut(client: RumorTestClient, connectionId: string): Promise<void> {
  const goodbye = await client.message(
    (m) => m.method === 'deleted' && m.uri.endsWith(`/connection/${connectionId}`),
  );
  expect(goodbye.reason).toBe('forceDisconnected');
  await client.closed;
}

const projectRequest = async (method: 'PUT' | 'DELETE', projectId: string, payload?: object) =>
  fx.harness.app.inject({
    method,
    url: `/v2/project/${projectId}`,
    headers: await accountAuth(fx.harness.account),
    ...(payload ? { payload } : {}),
  });

describe('project changes end live clients', () => {
  it('disconnects the clients of a deleted project', async () => {
    const { project } = await fx.harness.addProject('Doomed');
    const client = await joinOther(project);
    const res = await projectRequest('DELETE', project.applicationId);
    expect(res.statusCode).toBe(204);
    await expectForcedOut(client, client.connectionId);
    expect(fx.harness.app.realtime.registry.sessions).toHaveLength(0);
  });

  // Suspends the fixture's own project, so it runs last.
  it('disconnects every client of a suspended project, and only those', async () => {
    const [first, second] = [await fx.createSession(), await fx.createSession()];
    const alice = await fx.join(first);
    const bob = await fx.join(first);
    const carol = await fx.join(second, 'moderator');
    const { project: other } = await fx.harness.addProject('Bystander');
    const bystander = await joinOther(other);
    // A session kept only by its sticky force-mute state goes too.
    const muted = await fx.createSession();
    fx.harness.app.realtime.registry
      .open({ sessionId: muted, project: fx.harness.project, mediaMode: 'relayed', e2ee: false })
      .setMuteAll(true);

    const res = await projectRequest('PUT', fx.harness.project.apiKey, { status: 'SUSPENDED' });
    expect(res.statusCode).toBe(200);
    await expectForcedOut(alice.client, alice.connectionId);
    await expectForcedOut(bob.client, bob.connectionId);
    await expectForcedOut(carol.client, carol.connectionId);
    // Bob also learns that Alice left, the way Vonage reports a forced disconnect.
    expect(
      bob.client.messages.some(
        (m) => m.method === 'deleted' && m.uri.endsWith(`/connection/${alice.connectionId}`),
      ),
    ).toBe(true);
    expect(fx.harness.app.realtime.registry.get(first)).toBeUndefined();
    expect(fx.harness.app.realtime.registry.get(second)).toBeUndefined();
    expect(fx.harness.app.realtime.registry.get(muted)).toBeUndefined();

    expect(bystander.open).toBe(true);
    expect(fx.harness.app.realtime.registry.sessions).toHaveLength(1);
    await bystander.goodbye();
  });
});
