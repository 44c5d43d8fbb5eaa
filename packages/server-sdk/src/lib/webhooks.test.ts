import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, WebhookVerificationError } from '../core/errors.js';
import { SESSION_ID } from '../testing/fixtures.js';
import { signWebhookPayload } from './webhook-signature.js';
import { verifyWebhook, WebhookReceiver } from './webhooks.js';

const keyBytes = randomBytes(24);
const SECRET = `whsec_${keyBytes.toString('base64')}`;
const NOW = 1_700_000_000;
const body = JSON.stringify({
  sessionId: SESSION_ID,
  projectId: '47123456',
  applicationId: '1c3f2d9e-8b7a-4c5d-9e0f-112233445566',
  event: 'connectionCreated',
  timestamp: NOW * 1000,
  connection: { id: 'c1', createdAt: NOW * 1000, data: 'name=Alice' },
});

function signed(payload = body, timestamp = NOW, key = keyBytes): Record<string, string> {
  return {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhookPayload(key, 'msg_1', timestamp, payload),
  };
}

describe('WebhookReceiver', () => {
  const receiver = new WebhookReceiver(SECRET);
  const at = { now: NOW * 1000 };

  it('verifies a signed delivery and returns the typed event', () => {
    const verified = receiver.verify(body, signed(), at);
    expect(verified.id).toBe('msg_1');
    expect(verified.timestamp).toEqual(new Date(NOW * 1000));
    expect(verified.event.event).toBe('connectionCreated');
    if (verified.event.event === 'connectionCreated')
      expect(verified.event.connection.data).toBe('name=Alice');
  });

  it('accepts the raw body as bytes, Fetch Headers, and array-valued headers', () => {
    expect(receiver.verify(Buffer.from(body), new Headers(signed()), at).event.event).toBe(
      'connectionCreated',
    );
    const headers = signed();
    const nodeStyle = {
      ...headers,
      'Webhook-Signature': [`v1,${'A'.repeat(44)}`, headers['webhook-signature'] ?? ''],
    };
    delete (nodeStyle as Record<string, unknown>)['webhook-signature'];
    expect(receiver.verify(body, nodeStyle, at).id).toBe('msg_1');
  });

  it('accepts any of several signatures, and any of several secrets while rotating', () => {
    const other = randomBytes(24);
    const rotating = new WebhookReceiver([`whsec_${other.toString('base64')}`, SECRET]);
    const headers = signed();
    headers['webhook-signature'] =
      `${signWebhookPayload(randomBytes(8), 'msg_1', NOW, body)} ${headers['webhook-signature']}`;
    expect(rotating.verify(body, headers, at).id).toBe('msg_1');
  });

  it('rejects a tampered body, a wrong secret and a missing header', () => {
    expect(() => receiver.verify(body.replace('Alice', 'Mallory'), signed(), at)).toThrow(
      WebhookVerificationError,
    );
    expect(() => receiver.verify(body, signed(body, NOW, randomBytes(24)), at)).toThrow(
      /No webhook signature matches/,
    );
    const { 'webhook-id': _id, ...noId } = signed();
    expect(() => receiver.verify(body, noId, at)).toThrow(/Missing webhook-id/);
  });

  it('rejects timestamps outside the tolerance (replays), in both directions', () => {
    expect(() => receiver.verify(body, signed(body, NOW - 301), at)).toThrow(/tolerance 300 s/);
    expect(() => receiver.verify(body, signed(body, NOW + 301), at)).toThrow(WebhookVerificationError);
    expect(receiver.verify(body, signed(body, NOW - 299), at).id).toBe('msg_1');
    const lenient = new WebhookReceiver(SECRET, { toleranceSeconds: 600 });
    expect(lenient.verify(body, signed(body, NOW - 500), at).id).toBe('msg_1');
  });

  it('refuses a parsed body with a message explaining why', () => {
    expect(() => receiver.verify(JSON.parse(body), signed(), at)).toThrow(/raw request body/);
  });

  it('rejects signed bodies that are not JSON events', () => {
    expect(() => receiver.verify('not json', signed('not json'), at)).toThrow(/not JSON/);
    expect(() => receiver.verify('{"a":1}', signed('{"a":1}'), at)).toThrow(/no "event" field/);
  });

  it('validates the secret when built', () => {
    expect(() => new WebhookReceiver('secret')).toThrow(InvalidArgumentError);
    expect(() => new WebhookReceiver('whsec_')).toThrow(InvalidArgumentError);
    expect(() => new WebhookReceiver([])).toThrow(expect.objectContaining({ field: 'webhookSecret' }));
  });

  it('verifyWebhook is the one-shot form', () => {
    expect(verifyWebhook(body, signed(), SECRET, at).event.event).toBe('connectionCreated');
  });
});
