import { describe, expect, it } from 'vitest';
import {
  newWebhookId,
  newWebhookSecret,
  signWebhook,
  verifyWebhookSignature,
  type WebhookSignatureErrorReason,
  webhookSecretKey,
} from './signing.js';

/** The spec's test vector (components/parameters/WebhookSignature.yaml, example `oneSecret`). */
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_2bV7kQz4Lp9XyWc3Nd8Rf6Ht1Jm',
  timestamp: 1_700_000_001,
  body: JSON.stringify({
    sessionId: '2_MX40NzEyMzQ1Nn5-MTcwMDAwMDAwMDAwMH5hYmNkZWZ-fg',
    projectId: '47123456',
    applicationId: '1c3f2d9e-8b7a-4c5d-9e0f-112233445566',
    event: 'connectionCreated',
    timestamp: 1700000001000,
    connection: { id: '7e0c4d3a-5b1f-4a8e-9c2d-0f1e2d3c4b5a', createdAt: 1700000001000, data: 'name=Alice' },
  }),
  signature: 'v1,UhIEzrk+3DErFZCaQaYaaJcQACAk/2BsBbK1WIHzZUM=',
};
const nowMs = vector.timestamp * 1000;

const refused = (fn: () => unknown, reason: WebhookSignatureErrorReason) =>
  expect(fn).toThrow(expect.objectContaining({ name: 'WebhookSignatureError', reason }));

describe('signWebhook', () => {
  it('reproduces the spec’s test vector', () => {
    expect(signWebhook(vector)).toEqual({
      'webhook-id': vector.id,
      'webhook-timestamp': '1700000001',
      'webhook-signature': vector.signature,
    });
  });

  it('signs once per secret during a rotation', () => {
    const second = newWebhookSecret();
    const headers = signWebhook({ ...vector, secret: [vector.secret, second] });
    const [first, other] = headers['webhook-signature'].split(' ');
    expect(first).toBe(vector.signature);
    expect(other).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyWebhookSignature({ secret: second, headers, body: vector.body, now: nowMs }).id).toBe(
      vector.id,
    );
  });

  it('signs bytes and strings alike', () => {
    const fromBytes = signWebhook({ ...vector, body: new TextEncoder().encode(vector.body) });
    expect(fromBytes['webhook-signature']).toBe(vector.signature);
  });

  it('rejects bad input naming it', () => {
    expect(() => signWebhook({ ...vector, timestamp: 1.5 })).toThrow(/timestamp/);
    expect(() => signWebhook({ ...vector, secret: [] })).toThrow(/secret/);
    expect(() => signWebhook({ ...vector, secret: 'whsec_not base64!' })).toThrow(/secret/);
  });
});

describe('verifyWebhookSignature', () => {
  const headers = {
    'webhook-id': vector.id,
    'webhook-timestamp': '1700000001',
    'webhook-signature': vector.signature,
  };

  it('accepts the test vector from a plain header record or a Fetch Headers object', () => {
    expect(verifyWebhookSignature({ secret: vector.secret, headers, body: vector.body, now: nowMs })).toEqual(
      {
        id: vector.id,
        timestamp: vector.timestamp,
      },
    );
    expect(
      verifyWebhookSignature({
        secret: vector.secret,
        headers: new Headers(headers),
        body: vector.body,
        now: nowMs,
      }),
    ).toMatchObject({ id: vector.id });
  });

  it('accepts the secret without its prefix, and any matching signature in the list', () => {
    const list = { ...headers, 'webhook-signature': `v2,abc v1,${'A'.repeat(43)}= ${vector.signature}` };
    const secret = vector.secret.slice('whsec_'.length);
    expect(verifyWebhookSignature({ secret, headers: list, body: vector.body, now: nowMs }).id).toBe(
      vector.id,
    );
  });

  it('refuses a changed body, id or timestamp, and another secret', () => {
    const base = { secret: vector.secret, headers, body: vector.body, now: nowMs };
    refused(() => verifyWebhookSignature({ ...base, body: `${vector.body} ` }), 'bad-signature');
    refused(
      () => verifyWebhookSignature({ ...base, headers: { ...headers, 'webhook-id': 'msg_x' } }),
      'bad-signature',
    );
    refused(
      () => verifyWebhookSignature({ ...base, headers: { ...headers, 'webhook-timestamp': '1700000002' } }),
      'bad-signature',
    );
    refused(() => verifyWebhookSignature({ ...base, secret: newWebhookSecret() }), 'bad-signature');
    refused(
      () => verifyWebhookSignature({ ...base, headers: { ...headers, 'webhook-signature': 'v1,!!!' } }),
      'bad-signature',
    );
  });

  it('refuses timestamps more than five minutes away, either way', () => {
    const base = { secret: vector.secret, headers, body: vector.body };
    expect(verifyWebhookSignature({ ...base, now: nowMs + 300_000 }).id).toBe(vector.id);
    refused(() => verifyWebhookSignature({ ...base, now: nowMs + 301_000 }), 'timestamp-out-of-range');
    refused(() => verifyWebhookSignature({ ...base, now: nowMs - 301_000 }), 'timestamp-out-of-range');
    expect(verifyWebhookSignature({ ...base, now: nowMs + 3_600_000, toleranceSec: 3600 }).id).toBe(
      vector.id,
    );
  });

  it('refuses missing headers and malformed timestamps', () => {
    const { 'webhook-signature': _sig, ...noSignature } = headers;
    refused(
      () =>
        verifyWebhookSignature({
          secret: vector.secret,
          headers: noSignature,
          body: vector.body,
          now: nowMs,
        }),
      'missing-header',
    );
    refused(
      () =>
        verifyWebhookSignature({
          secret: vector.secret,
          headers: { ...headers, 'webhook-timestamp': '17e8' },
          body: vector.body,
          now: nowMs,
        }),
      'malformed-timestamp',
    );
  });
});

describe('ids and secrets', () => {
  it('mints distinct msg_ IDs and whsec_ secrets of 32 bytes', () => {
    const ids = new Set(Array.from({ length: 100 }, newWebhookId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]+$/);
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(webhookSecretKey(secret)).toHaveLength(32);
  });
});
