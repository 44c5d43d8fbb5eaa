import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { miniSpec } from '../fixtures/mini-spec.js';
import { ApiClient, encodeBody, type FetchLike } from './client.js';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const credentials = { applicationId: 'app-uuid', privateKey, apiKey: '47123456', apiSecret: 'secret' };

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fetch that records requests and answers from a queue. */
function fakeFetch(answers: { status: number; body?: string; headers?: Record<string, string> }[]): {
  fetch: FetchLike;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, ...init });
    const answer = answers.shift() ?? { status: 200 };
    const headers = new Map(Object.entries({ 'content-type': 'application/json', ...answer.headers }));
    return {
      status: answer.status,
      headers: {
        forEach: (cb) => {
          for (const [k, v] of headers) cb(v, k);
        },
      },
      text: async () => answer.body ?? '',
    };
  };
  return { fetch, sent };
}

describe('ApiClient', () => {
  it('fills the path template, signs a fresh Bearer JWT and parses the JSON answer', async () => {
    const { fetch, sent } = fakeFetch([{ status: 200, body: '{"id":"w","mode":"composed"}' }]);
    const calls: string[] = [];
    const client = new ApiClient({
      baseUrl: 'http://t.test/',
      spec: miniSpec(),
      credentials,
      style: 'vonage',
      fetch,
      onCall: (id, status) => calls.push(`${id} ${status}`),
    });
    const response = await client.call('createWidget', { body: { sessionId: 's' }, idempotencyKey: 'k1' });
    expect(sent[0]?.url).toBe('http://t.test/v2/project/app-uuid/widget');
    expect(sent[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'k1',
      accept: 'application/json',
    });
    const token = (sent[0]?.headers.authorization ?? '').replace('Bearer ', '');
    expect(decodeProtectedHeader(token).alg).toBe('RS256');
    expect(decodeJwt(token)).toMatchObject({ application_id: 'app-uuid', jti: expect.any(String) });
    expect(response).toMatchObject({
      status: 200,
      mediaType: 'application/json',
      body: { id: 'w', mode: 'composed' },
    });
    expect(calls).toEqual(['createWidget 200']);
  });

  it('uses the API key and X-OPENTOK-AUTH in the legacy style, and encodes path parameters', async () => {
    const { fetch, sent } = fakeFetch([{ status: 204 }]);
    const client = new ApiClient({
      baseUrl: 'http://t.test',
      spec: miniSpec(),
      credentials,
      style: 'opentok',
      fetch,
    });
    await client.call('deleteWidget', { path: { widgetId: 'a/b c' } });
    expect(sent[0]?.url).toBe('http://t.test/v2/project/47123456/widget/a%2Fb%20c');
    const token = sent[0]?.headers['x-opentok-auth'] ?? '';
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    expect(decodeJwt(token)).toMatchObject({ iss: '47123456', ist: 'project' });
  });

  it('sends no credentials to anonymous operations and builds query strings', async () => {
    const { fetch, sent } = fakeFetch([
      { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } },
      { status: 200, body: '{"count":0,"items":[]}' },
    ]);
    const client = new ApiClient({
      baseUrl: 'http://t.test',
      spec: miniSpec(),
      credentials,
      style: 'vonage',
      fetch,
    });
    const health = await client.call('health');
    expect(sent[0]?.headers.authorization).toBeUndefined();
    expect(health).toMatchObject({ text: 'ok', body: undefined, mediaType: 'text/plain' });
    await client.call('listWidgets', { query: { offset: 0, count: 2, skip: undefined } });
    expect(sent[1]?.url).toBe('http://t.test/v2/project/app-uuid/widget?offset=0&count=2');
  });

  it('retries 429 as told by Retry-After, with a fresh token each time', async () => {
    const { fetch, sent } = fakeFetch([
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 200, body: '{"count":0,"items":[]}' },
    ]);
    const client = new ApiClient({
      baseUrl: 'http://t.test',
      spec: miniSpec(),
      credentials,
      style: 'vonage',
      fetch,
    });
    expect((await client.call('listWidgets')).status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.headers.authorization).not.toBe(sent[1]?.headers.authorization);
  });

  it('refuses webhooks and missing path parameters by name', async () => {
    const client = new ApiClient({
      baseUrl: 'http://t.test',
      spec: miniSpec(),
      credentials,
      style: 'vonage',
      fetch: fakeFetch([]).fetch,
    });
    await expect(client.call('widgetCreated')).rejects.toThrow('widgetCreated is a webhook');
    await expect(client.call('deleteWidget')).rejects.toThrow('deleteWidget needs path parameter widgetId');
  });
});

describe('encodeBody', () => {
  it('form-encodes objects for x-www-form-urlencoded and JSON-encodes otherwise', () => {
    expect(
      encodeBody('application/x-www-form-urlencoded', {
        'p2p.preference': 'enabled',
        e2ee: true,
        skip: undefined,
      }),
    ).toBe('p2p.preference=enabled&e2ee=true');
    expect(encodeBody('application/json', { a: 1 })).toBe('{"a":1}');
    expect(() => encodeBody('application/x-www-form-urlencoded', ['x'])).toThrow(
      'A form-encoded body must be an object of fields',
    );
  });
});
