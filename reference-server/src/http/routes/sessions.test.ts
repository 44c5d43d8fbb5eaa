import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, opentokJwt, projectAuth } from '../../testing/harness.js';
import { decodeSessionId } from '../../tokens/session-id.js';
import { formatCreateDt } from './sessions.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

describe('POST /session/create', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const create = async (payload: string, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url: '/session/create',
      payload,
      headers: { ...FORM, ...(await projectAuth(h.project)), ...headers },
    });

  it('creates a routed session by default and answers a one-element JSON array', async () => {
    const res = await create('');
    expect(res.statusCode).toBe(200);
    const body = json<Array<Record<string, string>>>(res);
    expect(body).toHaveLength(1);
    const [session] = body;
    expect(session).toMatchObject({
      project_id: h.project.apiKey,
      partner_id: h.project.apiKey,
      application_id: h.project.applicationId,
      media_server_url: '',
    });
    expect(session?.create_dt).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    const stored = await h.store.sessions.get(session?.session_id ?? '');
    expect(stored).toMatchObject({ mediaMode: 'routed', archiveMode: 'manual', e2ee: false, location: null });
  });

  it('mints IDs that embed the API key in field 1, as the legacy ownership check expects', async () => {
    const [session] = json<Array<{ session_id: string }>>(
      await create('p2p.preference=enabled&location=192.0.2.10'),
    );
    const id = session?.session_id ?? '';
    expect(id).toMatch(/^2_[A-Za-z0-9_-]+$/);
    expect(id.length).toBeLessThanOrEqual(255);
    // The opentok SDK's own decoding: strip two characters, base64, split on ~.
    const fields = Buffer.from(id.slice(2).replaceAll('-', '+').replaceAll('_', '/'), 'base64')
      .toString()
      .split('~');
    expect(fields[1]).toBe(h.project.apiKey);
    expect(decodeSessionId(id)).toMatchObject({
      location: '192.0.2.10',
      applicationId: h.project.applicationId,
    });
    expect(await h.store.sessions.get(id)).toMatchObject({ mediaMode: 'relayed', location: '192.0.2.10' });
  });

  it('treats p2p.preference=always (the Vonage Python SDK) as relayed', async () => {
    const [session] = json<Array<{ session_id: string }>>(await create('p2p.preference=always'));
    expect((await h.store.sessions.get(session?.session_id ?? ''))?.mediaMode).toBe('relayed');
  });

  it('stores archiveMode=always with its archive name and resolution on a routed session', async () => {
    const res = await create(
      'p2p.preference=disabled&archiveMode=always&archiveName=Standup&archiveResolution=1280x720&e2ee=false',
    );
    expect(res.statusCode).toBe(200);
    const [session] = json<Array<{ session_id: string }>>(res);
    expect(await h.store.sessions.get(session?.session_id ?? '')).toMatchObject({
      mediaMode: 'routed',
      archiveMode: 'always',
      archiveName: 'Standup',
      archiveResolution: '1280x720',
    });
  });

  it('stores e2ee=true', async () => {
    const [session] = json<Array<{ session_id: string }>>(await create('e2ee=true'));
    expect((await h.store.sessions.get(session?.session_id ?? ''))?.e2ee).toBe(true);
  });

  it('ignores fields that an SDK serialised from a missing value (location=null from @vonage/video)', async () => {
    const res = await create('archiveMode=manual&location=null&p2p.preference=disabled');
    expect(res.statusCode).toBe(200);
    const [session] = json<Array<{ session_id: string }>>(res);
    expect((await h.store.sessions.get(session?.session_id ?? ''))?.location).toBeNull();
  });

  it('answers the legacy XML form to clients that do not accept JSON', async () => {
    const res = await create('', { accept: 'application/xml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.body).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?><sessions><Session><session_id>2_[A-Za-z0-9_-]+<\/session_id><partner_id>\d+<\/partner_id><create_dt>[^<]+<\/create_dt><\/Session><\/sessions>$/,
    );
  });

  it('answers JSON when Accept is missing or a wildcard', async () => {
    for (const accept of ['*/*', 'text/html, application/json;q=0.5']) {
      const res = await create('', { accept });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
    const noAccept = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: await projectAuth(h.project),
    });
    expect(noAccept.statusCode).toBe(200);
    expect(Array.isArray(json(noAccept))).toBe(true);
  });

  it.each([
    ['archiveMode=always&p2p.preference=enabled', 'archiveMode=always requires a routed session'],
    ['archiveMode=always&p2p.preference=always', 'archiveMode=always requires a routed session'],
    ['e2ee=true&p2p.preference=enabled', 'e2ee=true requires a routed session'],
    ['archiveName=Standup', 'archiveName and archiveResolution are allowed only with archiveMode=always'],
    [
      'archiveResolution=1280x720',
      'archiveName and archiveResolution are allowed only with archiveMode=always',
    ],
    ['location=not-an-ip', 'body.location must be an IPv4 address'],
    ['location=2001:db8::1', 'body.location must be an IPv4 address'],
    ['p2p.preference=sometimes', 'body.p2p.preference must be one of disabled, enabled, always'],
    ['archiveMode=auto', 'body.archiveMode must be one of manual, always'],
    ['e2ee=yes', 'body.e2ee must be one of true, false'],
    ['archiveMode=always&archiveResolution=800x600', 'body.archiveResolution must be one of 640x480'],
    [
      `archiveMode=always&archiveName=${'x'.repeat(81)}`,
      'body.archiveName must be at most 80 characters long',
    ],
  ])('rejects %s with 400 naming the rule', async (form, message) => {
    const res = await create(form);
    expect(res.statusCode).toBe(400);
    const body = json<{ code: number; message: string }>(res);
    expect(body.code).toBe(40001);
    expect(body.message).toContain(message);
  });

  it('rejects a JSON body with 415 naming the accepted type', async () => {
    const res = await create('{"archiveMode":"manual"}', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(415);
    expect(json(res)).toEqual({
      code: 41501,
      message:
        'Content-Type application/json is not accepted by createSession; send application/x-www-form-urlencoded',
    });
  });

  it('answers 401 without credentials and 403 for a suspended project', async () => {
    const anonymous = await h.app.inject({ method: 'POST', url: '/session/create', headers: FORM });
    expect(anonymous.statusCode).toBe(401);
    expect(json(anonymous)).toMatchObject({ code: 40102 });

    const { project } = await h.addProject('Suspended');
    await h.store.projects.update({ ...project, status: 'SUSPENDED' });
    const res = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { ...FORM, 'x-opentok-auth': await opentokJwt(project) },
    });
    expect(res.statusCode).toBe(403);
    expect(json(res)).toMatchObject({ code: 40302 });
  });

  it('replays the stored response for a repeated Idempotency-Key instead of creating a second session', async () => {
    const headers = { 'idempotency-key': 'create-once-1' };
    const first = await create('p2p.preference=enabled', headers);
    const second = await create('p2p.preference=enabled', headers);
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const reused = await create('p2p.preference=disabled', headers);
    expect(reused.statusCode).toBe(409);
    expect(json(reused)).toMatchObject({ code: 40951 });
  });

  it('keeps idempotency keys per project', async () => {
    const other = await h.addProject();
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await create('', headers);
    const theirs = await h.app.inject({
      method: 'POST',
      url: '/session/create',
      headers: { ...FORM, ...headers, 'x-opentok-auth': await opentokJwt(other.project) },
    });
    expect(theirs.statusCode).toBe(200);
    expect(json<Array<{ project_id: string }>>(theirs)[0]?.project_id).toBe(other.project.apiKey);
    expect(theirs.body).not.toBe(mine.body);
  });
});

describe('formatCreateDt', () => {
  it('formats like the legacy API, in UTC', () => {
    expect(formatCreateDt(Date.UTC(2023, 10, 14, 22, 13, 20))).toBe('Tue Nov 14 22:13:20 UTC 2023');
    expect(formatCreateDt(Date.UTC(2024, 0, 5, 3, 4, 5))).toBe('Fri Jan 05 03:04:05 UTC 2024');
  });

  it('answers times within one second alike and the next second anew (the text is kept per second)', () => {
    const second = Date.UTC(2024, 1, 29, 23, 59, 59);
    expect(formatCreateDt(second)).toBe('Thu Feb 29 23:59:59 UTC 2024');
    expect(formatCreateDt(second + 999)).toBe('Thu Feb 29 23:59:59 UTC 2024');
    expect(formatCreateDt(second + 1000)).toBe('Fri Mar 01 00:00:00 UTC 2024');
    expect(formatCreateDt(second - 1)).toBe('Thu Feb 29 23:59:58 UTC 2024');
  });
});
