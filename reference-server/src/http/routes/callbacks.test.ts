import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, opentokJwt } from '../../testing/harness.js';

interface Callback {
  id: string;
  group: string;
  event: string;
  url: string;
  createdAt: number;
}

describe('callbacks', () => {
  let h: Harness;
  let clock = 1_700_000_000_000;
  let base: string;
  beforeAll(async () => {
    h = await createHarness({ now: () => clock });
    base = `/v2/project/${h.project.apiKey}/callback`;
  });
  afterAll(async () => {
    await h.close();
  });

  const projectAuth = async (project = h.project) => ({
    'x-opentok-auth': await opentokJwt(project, {}, clock),
  });
  const register = async (body: unknown) =>
    h.app.inject({
      method: 'POST',
      url: base,
      headers: { ...(await projectAuth(h.project)), 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const list = async () =>
    json<Callback[]>(await h.app.inject({ method: 'GET', url: base, headers: await projectAuth(h.project) }));

  it('registers, lists oldest first and replaces the URL of a pair keeping its ID', async () => {
    expect(await list()).toEqual([]);
    const archive = json<Callback>(
      await register({ group: 'archive', event: 'status', url: 'https://hooks.example.com/a' }),
    );
    expect(archive).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      group: 'archive',
      event: 'status',
      url: 'https://hooks.example.com/a',
      createdAt: clock,
    });
    clock += 1000;
    const connection = json<Callback>(
      await register({ group: 'connection', event: 'created', url: 'https://hooks.example.com/events' }),
    );
    expect((await list()).map((c) => c.id)).toEqual([archive.id, connection.id]);

    clock += 1000;
    const replaced = json<Callback>(
      await register({ group: 'archive', event: 'status', url: 'https://hooks.example.com/b' }),
    );
    expect(replaced).toMatchObject({ id: archive.id, url: 'https://hooks.example.com/b', createdAt: clock });
    const all = await list();
    expect(all).toHaveLength(2);
    expect(all.find((c) => c.id === archive.id)?.url).toBe('https://hooks.example.com/b');
  });

  it.each([
    [
      { group: 'archive', event: 'created', url: 'https://hooks.example.com/x' },
      'body.event must be "status"',
    ],
    [
      { group: 'stream', event: 'status', url: 'https://hooks.example.com/x' },
      'body.event must be one of created, destroyed',
    ],
    [{ group: 'webinar', event: 'status', url: 'https://hooks.example.com/x' }, 'body.group must be one of'],
    [
      { group: 'archive', event: 'status', url: 'ftp://hooks.example.com/x' },
      'body.url must match the pattern ^https?://',
    ],
    [{ group: 'archive', event: 'status' }, 'body.url is required'],
  ])('rejects %j', async (body, message) => {
    const res = await register(body);
    expect(res.statusCode).toBe(400);
    expect(json<{ code: number; message: string }>(res)).toMatchObject({ code: 40001 });
    expect(json<{ message: string }>(res).message).toContain(message);
  });

  it('unregisters, and answers 404 for an unknown ID or another project’s callback', async () => {
    const created = json<Callback>(
      await register({ group: 'stream', event: 'destroyed', url: 'https://hooks.example.com/s' }),
    );
    const other = await h.addProject();
    const foreign = await h.app.inject({
      method: 'DELETE',
      url: `/v2/project/${other.project.apiKey}/callback/${created.id}`,
      headers: await projectAuth(other.project),
    });
    expect(foreign.statusCode).toBe(404);
    expect(json(foreign)).toEqual({ code: 40463, message: `Callback ${created.id} was not found` });

    const res = await h.app.inject({
      method: 'DELETE',
      url: `${base}/${created.id}`,
      headers: await projectAuth(h.project),
    });
    expect(res.statusCode).toBe(204);
    expect((await list()).some((c) => c.id === created.id)).toBe(false);
    const again = await h.app.inject({
      method: 'DELETE',
      url: `${base}/${created.id}`,
      headers: await projectAuth(h.project),
    });
    expect(again.statusCode).toBe(404);
  });
});
