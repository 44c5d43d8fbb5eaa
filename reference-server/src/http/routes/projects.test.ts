import { createPrivateKey, createPublicKey } from 'node:crypto';
import OpenTok from 'opentok';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountAuth,
  bearerJwt,
  createHarness,
  type Harness,
  json,
  opentokJwt,
} from '../../testing/harness.js';

interface Details {
  id: string;
  applicationId: string;
  secret: string;
  status: string;
  name: string;
  environment: string;
  createdAt: number;
  updatedAt: number;
}

describe('project management', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: {
        ...(await accountAuth(h.account)),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });

  it('creates a project whose credentials work at once, returning the private key only then', async () => {
    const res = await call('POST', '/v2/project', { name: 'Acme support desk', environmentId: 7 });
    expect(res.statusCode).toBe(200);
    const created = json<Details & { privateKey: string; webhookSecret: string }>(res);
    expect(created).toMatchObject({ name: 'Acme support desk', status: 'ACTIVE', environment: 'standard' });
    expect(created.id).toMatch(/^\d{8}$/);
    expect(created.secret).toMatch(/^[0-9a-f]{40}$/);
    expect(created.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(created.webhookSecret).toMatch(/^whsec_/);
    // The key pair matches: the stored public key is the private key's.
    const stored = await h.store.projects.get(created.applicationId);
    expect(
      createPublicKey(createPrivateKey(created.privateKey)).export({ type: 'spki', format: 'pem' }),
    ).toBe(stored?.publicKeyPem);

    const bearer = await bearerJwt({
      applicationId: created.applicationId,
      privateKeyPem: created.privateKey,
    });
    const viaBearer = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(viaBearer.statusCode).toBe(200);
    const viaSecret = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { 'x-opentok-auth': await opentokJwt({ apiKey: created.id, apiSecret: created.secret }) },
    });
    expect(viaSecret.statusCode).toBe(200);

    const fetched = json<Record<string, unknown>>(await call('GET', `/v2/project/${created.id}`));
    expect(fetched.privateKey).toBeUndefined();
    expect(fetched.webhookSecret).toBeUndefined();
  });

  it('creates an unnamed project from an empty body', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v2/project',
      headers: await accountAuth(h.account),
    });
    expect(res.statusCode).toBe(200);
    expect(json<Details>(res).name).toBe('');
  });

  it('lists projects oldest first, with their secrets', async () => {
    const list = json<Details[]>(await call('GET', '/v2/project'));
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list[0]).toMatchObject({ applicationId: h.project.applicationId, secret: h.project.apiSecret });
    const times = list.map((p) => p.createdAt);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('gets a project by API key or application ID and answers 404 for unknown ones', async () => {
    for (const id of [h.project.apiKey, h.project.applicationId]) {
      expect(json<Details>(await call('GET', `/v2/project/${id}`)).applicationId).toBe(
        h.project.applicationId,
      );
    }
    const missing = await call('GET', '/v2/project/12345678');
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ code: 40464, message: 'Project 12345678 was not found' });
    const invalid = await call('GET', '/v2/project/not-a-project');
    expect(invalid.statusCode).toBe(400);
    expect(json<{ message: string }>(invalid).message).toMatch(/^path\.projectId must match the pattern/);
  });

  it('suspends (locking the project out of REST and clients, and telling the realtime layer), renames and reactivates a project', async () => {
    const { project, credentials } = await h.addProject('To suspend');
    const changes: string[] = [];
    h.app.parley.projectChanges.on('suspended', (p) => changes.push(`suspended ${p.applicationId}`));
    h.app.parley.projectChanges.on('reactivated', (p) => changes.push(`reactivated ${p.applicationId}`));
    const created = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { 'x-opentok-auth': await opentokJwt(project), accept: 'application/json' },
    });
    const [{ session_id: sessionId }] = json<[{ session_id: string }]>(created);

    const suspended = await call('PUT', `/v2/project/${project.apiKey}`, { status: 'SUSPENDED' });
    expect(suspended.statusCode).toBe(200);
    expect(json<Details>(suspended)).toMatchObject({ status: 'SUSPENDED', name: 'To suspend' });
    expect(changes).toEqual([`suspended ${project.applicationId}`]);

    // Every REST call of the project, with either kind of credentials.
    const refusals = [
      await h.app.inject({
        method: 'POST',
        url: '/session/create',
        headers: { 'x-opentok-auth': await opentokJwt(project) },
      }),
      await h.app.inject({
        method: 'GET',
        url: `/v2/project/${project.applicationId}/callback`,
        headers: { authorization: `Bearer ${await bearerJwt(credentials)}` },
      }),
      await h.app.inject({
        method: 'DELETE',
        url: `/v2/project/${project.apiKey}/archive/storage`,
        headers: { 'x-opentok-auth': await opentokJwt(project) },
      }),
    ];
    for (const refused of refusals) {
      expect(refused.statusCode).toBe(403);
      expect(json(refused)).toEqual({
        code: 40302,
        message: `Project ${project.applicationId} is suspended`,
      });
    }
    // And every client: session info answers OpenTok.js's "project suspended" error.
    const clientToken = new OpenTok(project.apiKey, project.apiSecret).generateToken(sessionId);
    const info = await h.app.inject({
      method: 'GET',
      url: `/session/${sessionId}`,
      headers: { accept: 'application/json', 'x-opentok-auth': clientToken },
    });
    expect(json<[{ error: { code: string } }]>(info)[0].error.code).toBe('409');

    // A second suspension changes nothing and tells nobody.
    await call('PUT', `/v2/project/${project.apiKey}`, { status: 'SUSPENDED' });
    expect(changes).toHaveLength(1);

    const renamed = json<Details>(
      await call('PUT', `/v2/project/${project.applicationId}`, { name: 'Renamed', status: 'ACTIVE' }),
    );
    expect(renamed).toMatchObject({ status: 'ACTIVE', name: 'Renamed' });
    expect(renamed.updatedAt).toBeGreaterThanOrEqual(renamed.createdAt);
    expect(changes).toEqual([`suspended ${project.applicationId}`, `reactivated ${project.applicationId}`]);
    const again = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { 'x-opentok-auth': await opentokJwt(project) },
    });
    expect(again.statusCode).toBe(200);
  });

  it('rejects update bodies that change nothing or break the spec', async () => {
    const empty = await call('PUT', `/v2/project/${h.project.apiKey}`, {});
    expect(empty.statusCode).toBe(400);
    expect(json(empty)).toMatchObject({ code: 40001 });
    const badStatus = await call('PUT', `/v2/project/${h.project.apiKey}`, { status: 'PAUSED' });
    expect(json<{ message: string }>(badStatus).message).toBe('body.status must be one of ACTIVE, SUSPENDED');
  });

  it('rotates the secret', async () => {
    const { project } = await h.addProject('To rotate');
    const rotated: string[] = [];
    h.app.parley.projectChanges.on('secretRotated', (p) => rotated.push(p.apiSecret));
    const res = await call('POST', `/v2/project/${project.apiKey}/refreshSecret`);
    expect(res.statusCode).toBe(200);
    const details = json<Details>(res);
    expect(details.secret).not.toBe(project.apiSecret);
    expect((await h.store.projects.get(project.apiKey))?.apiSecret).toBe(details.secret);
    expect(rotated).toEqual([details.secret]);
    expect((await call('POST', '/v2/project/12345678/refreshSecret')).statusCode).toBe(404);
  });

  it('deletes a project with everything it owns', async () => {
    const { project } = await h.addProject('To delete');
    const deleted: string[] = [];
    h.app.parley.projectChanges.on('deleted', (p) => deleted.push(p.applicationId));
    const session = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { 'x-opentok-auth': await opentokJwt(project) },
    });
    const [{ session_id: sessionId }] = json<Array<{ session_id: string }>>(session) as [
      { session_id: string },
    ];
    const res = await call('DELETE', `/v2/project/${project.apiKey}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await h.store.projects.get(project.applicationId)).toBeNull();
    expect(await h.store.sessions.get(sessionId)).toBeNull();
    expect(deleted).toEqual([project.applicationId]);
    expect((await call('DELETE', `/v2/project/${project.apiKey}`)).statusCode).toBe(404);
    const gone = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { 'x-opentok-auth': await opentokJwt(project) },
    });
    expect(gone.statusCode).toBe(401);
  });
});
