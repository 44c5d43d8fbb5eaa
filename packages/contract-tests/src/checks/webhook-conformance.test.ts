import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MINI_DOC } from '../fixtures/mini-spec.js';
import { WebhookReceiver } from '../harness/webhook-receiver.js';
import { ContractSpec } from '../spec.js';
import { CheckFailure } from './check.js';
import { webhookConformance } from './webhook-conformance.js';

// The mini spec's webhook has no body; give it one for these tests.
const doc = structuredClone(MINI_DOC) as { webhooks: { widgetCreated: { post: Record<string, unknown> } } };
doc.webhooks.widgetCreated.post.requestBody = {
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Widget' } } },
};
const withBody = new ContractSpec(doc as never);
const operation = withBody.operation('widgetCreated');
const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

function sign(id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

describe('webhook receiver and webhookConformance', () => {
  const receivers: WebhookReceiver[] = [];
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('receives a signed delivery and accepts it; refuses a bad signature or a stale timestamp', async () => {
    const receiver = await WebhookReceiver.start('127.0.0.1');
    receivers.push(receiver);
    const body = JSON.stringify({ id: 'w', mode: 'composed' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sent = await fetch(receiver.url('/hooks/widget'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_1',
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,bogus ${sign('msg_1', timestamp, body)}`,
      },
      body,
    });
    expect(sent.status).toBe(204);
    const delivery = await receiver.waitFor((d) => d.path === '/hooks/widget');
    expect(delivery.body).toEqual({ id: 'w', mode: 'composed' });
    expect(() => webhookConformance(withBody, operation, delivery, secret)).not.toThrow();

    const tampered = { ...delivery, rawBody: body.replace('composed', 'individual') };
    expect(() => webhookConformance(withBody, operation, tampered, secret)).toThrow(/no valid v1 signature/);
    const stale = { ...delivery, headers: { ...delivery.headers, 'webhook-timestamp': '1000' } };
    expect(() => webhookConformance(withBody, operation, stale, secret)).toThrow(/too far from now/);
    const invalid = { ...delivery, body: { id: 'w' } };
    expect(() => webhookConformance(withBody, operation, invalid)).toThrow(CheckFailure);
  });

  it('gives up waiting with the list of what arrived', async () => {
    const receiver = await WebhookReceiver.start('127.0.0.1');
    receivers.push(receiver);
    await expect(receiver.waitFor(() => false, 50)).rejects.toThrow(
      'no matching webhook within 50 ms (received: none)',
    );
  });
});
