import { Video } from '@vonage/video';
import OpenTok from 'opentok';
import { describe, expect, it } from 'vitest';
import { createProject } from '../../projects/projects.js';
import { createMemoryStore } from '../../store/memory-store.js';
import { TEST_ACCOUNT } from '../../testing/harness.js';
import { encodeSessionId } from '../../tokens/session-id.js';
import { assertPublishingToken, normalizeStartParams } from './render-rules.js';

describe('normalizeStartParams', () => {
  const base = { sessionId: 's', token: 't', url: 'https://stage.example.test/view' };

  it('applies the Vonage defaults: 1800 s at 1280x720, no name, no callback', () => {
    expect(normalizeStartParams(base)).toEqual({ ...base, maxDuration: 1800, resolution: '1280x720' });
  });

  it('keeps the given settings', () => {
    expect(
      normalizeStartParams({
        ...base,
        maxDuration: 60,
        resolution: '1080x1920',
        properties: { name: 'Stage' },
        statusCallbackUrl: 'https://hooks.example.test/r',
      }),
    ).toEqual({
      ...base,
      maxDuration: 60,
      resolution: '1080x1920',
      name: 'Stage',
      statusCallbackUrl: 'https://hooks.example.test/r',
    });
  });

  it.each([
    [{ maxDuration: 59 }, 'body.maxDuration must be >= 60'],
    [{ maxDuration: 36_001 }, 'body.maxDuration must be <= 36000'],
    [{ maxDuration: 90.5 }, 'body.maxDuration must be >= 60'],
    [{ url: 'not a url' }, 'body.url must be an absolute http or https URL'],
    [{ url: 'file:///etc/passwd' }, 'body.url must be an absolute http or https URL'],
  ])('refuses %j', (change, message) => {
    expect(() => normalizeStartParams({ ...base, ...change })).toThrow(message);
  });
});

describe('assertPublishingToken', () => {
  async function setUp() {
    const store = createMemoryStore();
    const { project, credentials } = await createProject(store, { name: 'Renders', account: TEST_ACCOUNT });
    const sessionId = encodeSessionId({ ...project, location: null, createdAt: Date.now() });
    const resolve = (id: string) => store.projects.get(id);
    return { store, project, credentials, sessionId, resolve };
  }

  it('returns the project ID the client joins with: the API key, or the application ID for Vonage JWTs', async () => {
    const { project, credentials, sessionId, resolve } = await setUp();
    const legacy = new OpenTok(project.apiKey, project.apiSecret).generateToken(sessionId, {
      role: 'publisher',
    });
    expect(await assertPublishingToken(legacy, sessionId, project, resolve, Date.now())).toBe(project.apiKey);
    const video = new Video({ applicationId: project.applicationId, privateKey: credentials.privateKeyPem });
    const vonage = video.generateClientToken(sessionId, { role: 'publisheronly' });
    expect(await assertPublishingToken(vonage, sessionId, project, resolve, Date.now())).toBe(
      project.applicationId,
    );
  });

  it('refuses tokens of another project, expired ones and subscriber tokens', async () => {
    const { store, project, sessionId, resolve } = await setUp();
    const { project: other } = await createProject(store, { name: 'Other', account: TEST_ACCOUNT });
    const otherSession = encodeSessionId({ ...other, location: null, createdAt: Date.now() });
    const foreign = new OpenTok(other.apiKey, other.apiSecret).generateToken(otherSession, {
      role: 'publisher',
    });
    await expect(
      assertPublishingToken(foreign, sessionId, project, resolve, Date.now()),
    ).rejects.toMatchObject({
      kind: 'CLIENT_TOKEN_INVALID',
      code: 40060,
      message:
        'body.token is not a valid client token for body.sessionId: it was generated for another project',
    });
    const opentok = new OpenTok(project.apiKey, project.apiSecret);
    const expired = opentok.generateToken(sessionId, {
      role: 'publisher',
      expireTime: Math.floor(Date.now() / 1000) + 60,
    });
    await expect(
      assertPublishingToken(expired, sessionId, project, resolve, Date.now() + 3_600_000),
    ).rejects.toMatchObject({ kind: 'CLIENT_TOKEN_INVALID', message: expect.stringMatching(/expired/i) });
    const subscriber = opentok.generateToken(sessionId, { role: 'subscriber' });
    await expect(
      assertPublishingToken(subscriber, sessionId, project, resolve, Date.now()),
    ).rejects.toMatchObject({
      kind: 'CLIENT_TOKEN_CANNOT_PUBLISH',
      code: 40062,
    });
  });
});
