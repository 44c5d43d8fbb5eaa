import { delay, HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, API_SECRET } from '../testing/fixtures.js';
import { type MockApi, startMockApi, TEST_BASE_URL } from '../testing/mock-api.js';
import { OpenTokJwtAuthenticator } from './auth.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  InvalidArgumentError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
} from './errors.js';
import { importHmacSecret } from './keys.js';
import { levelFilteredLogger } from './logger.js';
import { RequestExecutor, type RequestExecutorConfig } from './request.js';
import { Transport } from './transport.js';

let api: MockApi;
const transports: Transport[] = [];

beforeAll(async () => {
  api = await startMockApi();
});
afterEach(() => api.reset());
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await api.close();
});

/** An executor whose waits are recorded instead of slept. */
function executor(overrides: Partial<RequestExecutorConfig> = {}): {
  exec: RequestExecutor;
  sleeps: number[];
} {
  const sleeps: number[] = [];
  const transport = new Transport({
    timeoutMs: 2_000,
    connectTimeoutMs: 1_000,
    keepAliveTimeoutMs: 1_000,
    connections: null,
  });
  transports.push(transport);
  const exec = new RequestExecutor({
    baseUrl: new URL(TEST_BASE_URL),
    transport,
    authenticators: {
      project: new OpenTokJwtAuthenticator(API_KEY, importHmacSecret(API_SECRET), 'project'),
    },
    logger: levelFilteredLogger(console, 'off'),
    retry: { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 8_000 },
    timeoutMs: 2_000,
    userAgent: 'parley-test',
    defaultHeaders: {},
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    ...overrides,
  });
  return { exec, sleeps };
}

describe('RequestExecutor: request building', () => {
  it('builds the URL, query, JSON body and default headers', async () => {
    api.use(http.post(`${TEST_BASE_URL}/v2/project/1/archive`, () => HttpResponse.json({ id: 'a1' })));
    const { exec } = executor({ defaultHeaders: { 'X-Extra': 'yes' } });
    const body = await exec.request(
      {
        method: 'POST',
        path: '/v2/project/1/archive',
        query: { a: 1, b: undefined, c: true },
        body: { sessionId: 's' },
      },
      { headers: { 'X-Call': 'call' } },
    );
    expect(body).toEqual({ id: 'a1' });
    const [req] = api.requests;
    expect(new URL(req?.url ?? '').search).toBe('?a=1&c=true');
    expect(req?.headers.get('content-type')).toBe('application/json');
    expect(req?.headers.get('accept')).toBe('application/json');
    expect(req?.headers.get('user-agent')).toBe('parley-test');
    expect(req?.headers.get('x-extra')).toBe('yes');
    expect(req?.headers.get('x-call')).toBe('call');
    expect(req?.headers.get('x-opentok-auth')).toMatch(/^ey/);
    expect(await req?.json()).toEqual({ sessionId: 's' });
  });

  it('form-encodes a form body and keeps a base URL path prefix', async () => {
    api.use(
      http.post(`${TEST_BASE_URL}/prefix/session/create`, () => HttpResponse.json([{ session_id: 'x' }])),
    );
    const { exec } = executor({ baseUrl: new URL(`${TEST_BASE_URL}/prefix/`) });
    await exec.request({
      method: 'POST',
      path: '/session/create',
      form: { 'p2p.preference': 'disabled', e2ee: undefined },
    });
    const [req] = api.requests;
    expect(req?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(await req?.text()).toBe('p2p.preference=disabled');
  });

  it('returns undefined for an empty 204 response', async () => {
    api.use(http.delete(`${TEST_BASE_URL}/x`, () => new HttpResponse(null, { status: 204 })));
    const { exec } = executor();
    await expect(exec.request({ method: 'DELETE', path: '/x' })).resolves.toBeUndefined();
  });

  it('refuses account calls without account credentials, naming the option', async () => {
    const { exec } = executor();
    await expect(exec.request({ method: 'GET', path: '/v2/project', auth: 'account' })).rejects.toMatchObject(
      {
        name: 'InvalidArgumentError',
        field: 'accountApiKey',
      },
    );
  });

  it('validates per-call options', async () => {
    const { exec } = executor();
    await expect(exec.request({ method: 'GET', path: '/x' }, { maxRetries: -1 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(exec.request({ method: 'GET', path: '/x' }, { timeout: 0 })).rejects.toThrow(
      'options.timeout',
    );
  });
});

describe('RequestExecutor: idempotency keys', () => {
  it('sends one Idempotency-Key on a POST and reuses it across retries, with a fresh JWT each attempt', async () => {
    let calls = 0;
    api.use(
      http.post(`${TEST_BASE_URL}/p`, () => {
        calls++;
        return calls < 3
          ? HttpResponse.json({ code: 50001, message: 'boom' }, { status: 503 })
          : HttpResponse.json({});
      }),
    );
    const { exec, sleeps } = executor();
    await exec.request({ method: 'POST', path: '/p', body: {} });
    expect(calls).toBe(3);
    const keys = api.requests.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys)).toEqual(new Set([keys[0]]));
    const tokens = api.requests.map((r) => r.headers.get('x-opentok-auth'));
    expect(new Set(tokens).size).toBe(3);
    expect(api.requests.map((r) => r.headers.get('x-parley-retry-count'))).toEqual([null, '1', '2']);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('keys a POST even with retries off, and uses a caller-supplied key', async () => {
    api.use(http.post(`${TEST_BASE_URL}/p`, () => HttpResponse.json({})));
    const { exec } = executor();
    await exec.request({ method: 'POST', path: '/p' }, { maxRetries: 0 });
    await exec.request({ method: 'POST', path: '/p' }, { idempotencyKey: 'my-key' });
    expect(api.requests[0]?.headers.get('idempotency-key')).toBeTruthy();
    expect(api.requests[1]?.headers.get('idempotency-key')).toBe('my-key');
  });

  it('sends no Idempotency-Key on other methods', async () => {
    api.use(http.get(`${TEST_BASE_URL}/g`, () => HttpResponse.json({})));
    const { exec } = executor();
    await exec.request({ method: 'GET', path: '/g' });
    expect(api.requests[0]?.headers.get('idempotency-key')).toBeNull();
  });
});

describe('RequestExecutor: retries', () => {
  it('retries 408, 429 and 5xx but not other 4xx', async () => {
    for (const status of [408, 429, 500, 502]) {
      api.reset();
      let calls = 0;
      api.use(
        http.get(`${TEST_BASE_URL}/r`, () => {
          calls++;
          return calls === 1
            ? HttpResponse.json({ message: 'x' }, { status })
            : HttpResponse.json({ ok: true });
        }),
      );
      const { exec } = executor();
      await expect(exec.request({ method: 'GET', path: '/r' })).resolves.toEqual({ ok: true });
      expect(calls).toBe(2);
    }
    for (const status of [400, 401, 403, 404, 409]) {
      api.reset();
      api.use(http.get(`${TEST_BASE_URL}/r`, () => HttpResponse.json({ message: 'x' }, { status })));
      const { exec } = executor();
      await expect(exec.request({ method: 'GET', path: '/r' })).rejects.toBeInstanceOf(APIError);
      expect(api.requests).toHaveLength(1);
    }
  });

  it('obeys Retry-After (seconds) and retry-after-ms instead of its own backoff', async () => {
    let calls = 0;
    api.use(
      http.get(`${TEST_BASE_URL}/r`, () => {
        calls++;
        if (calls === 1) return HttpResponse.json({}, { status: 429, headers: { 'retry-after': '3' } });
        if (calls === 2) return HttpResponse.json({}, { status: 429, headers: { 'retry-after-ms': '250' } });
        return HttpResponse.json({ ok: 1 });
      }),
    );
    const { exec, sleeps } = executor();
    await exec.request({ method: 'GET', path: '/r' });
    expect(sleeps).toEqual([3000, 250]);
  });

  it('does not wait out a Retry-After over 60 s: it throws RateLimitError with the wait', async () => {
    api.use(
      http.get(`${TEST_BASE_URL}/r`, () =>
        HttpResponse.json(
          { code: 42901, message: 'slow down' },
          { status: 429, headers: { 'retry-after': '120' } },
        ),
      ),
    );
    const { exec, sleeps } = executor();
    const error = await exec.request({ method: 'GET', path: '/r' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterSeconds).toBe(120);
    expect(sleeps).toEqual([]);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    api.use(
      http.get(`${TEST_BASE_URL}/r`, () =>
        HttpResponse.json({ code: 50001, message: 'down' }, { status: 500 }),
      ),
    );
    const { exec } = executor();
    await expect(exec.request({ method: 'GET', path: '/r' }, { maxRetries: 1 })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(api.requests).toHaveLength(2);
  });

  it('honours x-should-retry from the server', async () => {
    api.use(
      http.get(`${TEST_BASE_URL}/r`, () =>
        HttpResponse.json({}, { status: 503, headers: { 'x-should-retry': 'false' } }),
      ),
    );
    const { exec } = executor();
    await expect(exec.request({ method: 'GET', path: '/r' })).rejects.toBeInstanceOf(InternalServerError);
    expect(api.requests).toHaveLength(1);
  });

  it('retries connection errors and throws APIConnectionError when they persist', async () => {
    api.use(http.get(`${TEST_BASE_URL}/down`, () => HttpResponse.error()));
    const { exec, sleeps } = executor();
    await expect(exec.request({ method: 'GET', path: '/down' })).rejects.toBeInstanceOf(APIConnectionError);
    expect(api.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });
});

describe('RequestExecutor: timeouts and aborts', () => {
  it('throws APIConnectionTimeoutError past the deadline', async () => {
    api.use(
      http.get(`${TEST_BASE_URL}/slow`, async () => {
        await delay(500);
        return HttpResponse.json({});
      }),
    );
    const { exec } = executor();
    const error = await exec
      .request({ method: 'GET', path: '/slow' }, { timeout: 50, maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIError).request?.url).toBe(`${TEST_BASE_URL}/slow`);
  });

  it('throws APIUserAbortError when the caller aborts, without retrying', async () => {
    api.use(
      http.get(`${TEST_BASE_URL}/slow`, async () => {
        await delay(500);
        return HttpResponse.json({});
      }),
    );
    const { exec } = executor();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      exec.request({ method: 'GET', path: '/slow' }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    expect(api.requests).toHaveLength(1);
  });

  it('aborts during the wait between retries', async () => {
    api.use(http.get(`${TEST_BASE_URL}/r`, () => HttpResponse.json({}, { status: 503 })));
    const controller = new AbortController();
    const { exec } = executor({
      sleep: async (_ms, signal) => {
        controller.abort();
        signal?.throwIfAborted();
      },
    });
    await expect(
      exec.request({ method: 'GET', path: '/r' }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(APIUserAbortError);
  });
});

describe('RequestExecutor: error mapping', () => {
  const cases: [number, new (...args: never[]) => APIError][] = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [405, MethodNotAllowedError],
    [409, ConflictError],
    [413, PayloadTooLargeError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
  ];
  it.each(cases)(
    'maps %i to %o with status, code, message, request ID and raw body',
    async (status, ErrorClass) => {
      const body = { code: status * 100 + 1, message: `failure ${status}` };
      api.use(
        http.get(`${TEST_BASE_URL}/e`, () =>
          HttpResponse.json(body, { status, headers: { 'x-request-id': 'req-42' } }),
        ),
      );
      const { exec } = executor();
      const error = (await exec
        .request({ method: 'GET', path: '/e' }, { maxRetries: 0 })
        .catch((e: unknown) => e)) as APIError;
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toBeInstanceOf(APIError);
      expect(error).toBeInstanceOf(Error);
      expect(error.status).toBe(status);
      expect(error.code).toBe(status * 100 + 1);
      expect(error.message).toBe(`${status} failure ${status} (code ${status * 100 + 1})`);
      expect(error.requestId).toBe('req-42');
      expect(error.body).toEqual(body);
      expect(error.request).toEqual({ method: 'GET', url: `${TEST_BASE_URL}/e` });
    },
  );

  it('keeps a non-JSON error body as text', async () => {
    api.use(
      http.get(`${TEST_BASE_URL}/e`, () => new HttpResponse('<html>Bad gateway</html>', { status: 418 })),
    );
    const { exec } = executor();
    const error = (await exec.request({ method: 'GET', path: '/e' }).catch((e: unknown) => e)) as APIError;
    expect(error.constructor).toBe(APIError);
    expect(error.body).toBe('<html>Bad gateway</html>');
    expect(error.code).toBeUndefined();
  });
});
