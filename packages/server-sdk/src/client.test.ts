import { readFileSync } from 'node:fs';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Parley } from './client.js';
import { OPENTOK_BASE_URL, resolveClientConfig, VONAGE_BASE_URL } from './client-options.js';
import { InvalidArgumentError, NotFoundError, ParleyError } from './core/errors.js';
import { API_KEY, API_SECRET, APPLICATION_ID, SESSION_ID, testKeyPair } from './testing/fixtures.js';
import { type MockApi, startMockApi, TEST_BASE_URL } from './testing/mock-api.js';
import { SDK_VERSION } from './version.js';

let api: MockApi;
const clients: Parley[] = [];
function client(options: ConstructorParameters<typeof Parley>[0]): Parley {
  const made = new Parley({ baseUrl: TEST_BASE_URL, maxRetries: 0, ...options });
  clients.push(made);
  return made;
}

beforeAll(async () => {
  api = await startMockApi();
});
afterEach(() => api.reset());
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await api.close();
});

describe('REST authentication', () => {
  it('signs each call RS256 with application credentials: application_id, iat, exp, a fresh jti', async () => {
    api.use(http.get(/\/stream$/, () => HttpResponse.json({ count: 0, items: [] })));
    const video = client({ applicationId: APPLICATION_ID, privateKey: testKeyPair().privateKeyPem });
    await video.streams.list(SESSION_ID);
    await video.streams.list(SESSION_ID);
    const tokens = api.requests.map((r) => (r.headers.get('authorization') ?? '').replace(/^Bearer /, ''));
    expect(new URL(api.requests[0]?.url ?? '').pathname).toBe(
      `/v2/project/${APPLICATION_ID}/session/${SESSION_ID}/stream`,
    );
    const claims = [];
    for (const token of tokens) {
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT' });
      claims.push((await jwtVerify(token, testKeyPair().publicKey, { algorithms: ['RS256'] })).payload);
    }
    expect(claims[0]).toMatchObject({ application_id: APPLICATION_ID });
    expect(Number(claims[0]?.exp) - Number(claims[0]?.iat)).toBe(300);
    expect(claims[0]?.jti).not.toBe(claims[1]?.jti);
  });

  it('signs each call HS256 in X-OPENTOK-AUTH with an API key: iss, ist project', async () => {
    api.use(http.get(/\/stream$/, () => HttpResponse.json({ count: 0, items: [] })));
    const video = client({ apiKey: API_KEY, apiSecret: API_SECRET, restTokenTtl: 60 });
    await video.streams.list(SESSION_ID);
    const token = api.requests[0]?.headers.get('x-opentok-auth') ?? '';
    const { payload } = await jwtVerify(token, new TextEncoder().encode(API_SECRET), {
      algorithms: ['HS256'],
    });
    expect(payload).toMatchObject({ iss: API_KEY, ist: 'project' });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(60);
    expect(api.requests[0]?.headers.get('authorization')).toBeNull();
    expect(new URL(api.requests[0]?.url ?? '').pathname).toContain(`/v2/project/${API_KEY}/`);
  });

  it('signs project management with the account key: ist account', async () => {
    api.use(http.get(`${TEST_BASE_URL}/v2/project`, () => HttpResponse.json([])));
    const video = client({ accountApiKey: '100', accountApiSecret: 'acct-secret' });
    await video.projects.list();
    const token = api.requests[0]?.headers.get('x-opentok-auth') ?? '';
    const { payload } = await jwtVerify(token, new TextEncoder().encode('acct-secret'), {
      algorithms: ['HS256'],
    });
    expect(payload).toMatchObject({ iss: '100', ist: 'account' });
    await expect(video.streams.list(SESSION_ID)).rejects.toThrow(
      expect.objectContaining({ field: 'credentials' }),
    );
  });

  it('sends a User-Agent naming the SDK version', async () => {
    api.use(http.get(/\/stream$/, () => HttpResponse.json({ count: 0, items: [] })));
    await client({ apiKey: API_KEY, apiSecret: API_SECRET }).streams.list(SESSION_ID);
    expect(api.requests[0]?.headers.get('user-agent')).toMatch(
      new RegExp(`^parley-server-sdk/${SDK_VERSION} node/`),
    );
  });
});

describe('client options', () => {
  const pem = () => testKeyPair().privateKeyPem;

  it('defaults the base URL by credential kind', () => {
    expect(resolveClientConfig({ applicationId: APPLICATION_ID, privateKey: pem() }, {}).baseUrl.href).toBe(
      `${VONAGE_BASE_URL}/`,
    );
    expect(resolveClientConfig({ apiKey: API_KEY, apiSecret: API_SECRET }, {}).baseUrl.href).toBe(
      `${OPENTOK_BASE_URL}/`,
    );
  });

  it('falls back to PARLEY_* environment variables', () => {
    const config = resolveClientConfig(
      {},
      {
        PARLEY_API_KEY: API_KEY,
        PARLEY_API_SECRET: API_SECRET,
        PARLEY_BASE_URL: 'http://127.0.0.1:4000',
        PARLEY_LOG: 'debug',
      },
    );
    expect(config.projectId).toBe(API_KEY);
    expect(config.baseUrl.href).toBe('http://127.0.0.1:4000/');
  });

  it('accepts a one-line PEM with escaped newlines and a key file path', () => {
    const escaped = pem().replace(/\n/g, '\\n');
    expect(resolveClientConfig({ applicationId: APPLICATION_ID, privateKey: escaped }, {}).projectId).toBe(
      APPLICATION_ID,
    );
  });

  const invalid: [string, object, string][] = [
    ['no credentials', {}, 'credentials'],
    ['a key without its secret', { apiKey: API_KEY }, 'apiSecret'],
    ['an application ID without its key', { applicationId: APPLICATION_ID }, 'privateKey'],
    ['a private key that is not PEM', { applicationId: APPLICATION_ID, privateKey: 'nope' }, 'privateKey'],
    ['a non-numeric API key', { apiKey: 'abc', apiSecret: API_SECRET }, 'apiKey'],
    ['a bad base URL', { apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: 'ftp://x' }, 'baseUrl'],
    ['a negative timeout', { apiKey: API_KEY, apiSecret: API_SECRET, timeout: -1 }, 'timeout'],
    ['a fractional maxRetries', { apiKey: API_KEY, apiSecret: API_SECRET, maxRetries: 1.5 }, 'maxRetries'],
    ['an unknown log level', { apiKey: API_KEY, apiSecret: API_SECRET, logLevel: 'loud' }, 'logLevel'],
  ];
  it.each(invalid)('rejects %s, naming the option', (_label, options, field) => {
    expect(() => resolveClientConfig(options, {})).toThrow(InvalidArgumentError);
    expect(() => resolveClientConfig(options, {})).toThrow(expect.objectContaining({ field }));
  });

  it('refuses to run in a browser unless dangerouslyAllowBrowser', () => {
    const scope = globalThis as Record<string, unknown>;
    scope.window = {};
    scope.document = {};
    try {
      expect(() => resolveClientConfig({ apiKey: API_KEY, apiSecret: API_SECRET }, {})).toThrow(ParleyError);
      expect(() => resolveClientConfig({ apiKey: API_KEY, apiSecret: API_SECRET }, {})).toThrow(
        /refuses to run in a browser/,
      );
      expect(
        resolveClientConfig({ apiKey: API_KEY, apiSecret: API_SECRET, dangerouslyAllowBrowser: true }, {}),
      ).toBeDefined();
    } finally {
      delete scope.window;
      delete scope.document;
    }
  });

  it('logs nothing by default and retries at warn when asked', async () => {
    const lines: string[] = [];
    const logger = {
      error: (m: string) => lines.push(`error ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      info: () => {},
      debug: () => {},
    };
    api.use(http.get(/\/stream\/s1$/, () => HttpResponse.json({ message: 'gone' }, { status: 404 })));
    const quiet = client({ apiKey: API_KEY, apiSecret: API_SECRET, logger });
    await expect(quiet.streams.retrieve(SESSION_ID, 's1')).rejects.toBeInstanceOf(NotFoundError);
    expect(lines).toEqual([]);
    const loud = client({ apiKey: API_KEY, apiSecret: API_SECRET, logger, logLevel: 'warn' });
    await expect(loud.streams.retrieve(SESSION_ID, 's1')).rejects.toBeInstanceOf(NotFoundError);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error GET .* failed: 404 gone/);
  });

  it('keeps SDK_VERSION equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
