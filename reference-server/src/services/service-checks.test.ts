import OpenTok from 'opentok';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import { aProject, aSession } from '../store/store.fixtures.js';
import type { Store } from '../store/types.js';
import { encodeSessionId } from '../tokens/session-id.js';
import { admitServiceToken, projectSession } from './service-checks.js';

const project = aProject({ apiSecret: 'c2VjcmV0LWFwaS1zZWNyZXQtZm9yLXRlc3Rz' });
const other = aProject({ applicationId: '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d', apiKey: '47000002' });
const sessionOf = (owner: typeof project) =>
  aSession({
    applicationId: owner.applicationId,
    sessionId: encodeSessionId({ ...owner, location: null, createdAt: 1_700_000_000_000 }),
  });
const session = sessionOf(project);
const otherSession = sessionOf(other);
const opentok = new OpenTok(project.apiKey, project.apiSecret);

async function storeWithSessions(): Promise<Store> {
  const store = createMemoryStore();
  await store.projects.create(project);
  await store.projects.create(other);
  await store.sessions.create(session);
  await store.sessions.create(otherSession);
  return store;
}

const refusal = { error: 'SIP_TOKEN_INVALID', message: 'bad token' } as const;

describe('projectSession', () => {
  it("returns the session when it is one of the project's", async () => {
    const store = await storeWithSessions();
    expect(await projectSession(store, project, session.sessionId)).toEqual(session);
  });

  it("reports another project's session and an unknown one alike, as SESSION_NOT_FOUND", async () => {
    const store = await storeWithSessions();
    for (const sessionId of [otherSession.sessionId, 'no-such-session']) {
      await expect(projectSession(store, project, sessionId)).rejects.toMatchObject({
        code: 40401,
        message: `Session ${sessionId} was not found`,
      });
    }
  });
});

describe('admitServiceToken', () => {
  it('returns the verified token when it admits to the session', async () => {
    const store = await storeWithSessions();
    const token = opentok.generateToken(session.sessionId, { role: 'moderator', data: 'who=sip' });
    const verified = await admitServiceToken(
      store,
      { token, sessionId: session.sessionId },
      Date.now(),
      refusal,
    );
    expect(verified).toMatchObject({
      sessionId: session.sessionId,
      role: 'moderator',
      connectionData: 'who=sip',
    });
  });

  it("throws the service's own error with what was wrong", async () => {
    const store = await storeWithSessions();
    await expect(
      admitServiceToken(store, { token: 'not-a-token', sessionId: session.sessionId }, Date.now(), refusal),
    ).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof ApiError && error.code === 40017 && error.message.startsWith('bad token: '),
    );
  });

  it('refuses a token for another session of the same project', async () => {
    const store = await storeWithSessions();
    const token = opentok.generateToken(session.sessionId);
    const secondSession = sessionOf(project);
    await store.sessions.create(secondSession);
    await expect(
      admitServiceToken(store, { token, sessionId: secondSession.sessionId }, Date.now(), refusal),
    ).rejects.toMatchObject({ code: 40017, message: 'bad token: The token is for another session' });
  });

  it('rethrows failures that are not about the token', async () => {
    const store = await storeWithSessions();
    const broken: Store = {
      ...store,
      projects: {
        ...store.projects,
        get: () => Promise.reject(new Error('disk on fire')),
      },
    };
    const token = opentok.generateToken(session.sessionId);
    await expect(
      admitServiceToken(broken, { token, sessionId: session.sessionId }, Date.now(), refusal),
    ).rejects.toThrow('disk on fire');
  });
});
