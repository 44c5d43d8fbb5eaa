import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookDelivery } from '../harness/webhook-receiver.js';
import type { OperationSpec } from '../spec/operations.js';
import type { ContractSpec } from '../spec.js';
import { CheckFailure } from './check.js';

/** How far a delivery's `webhook-timestamp` may be from the receiver's clock, as the spec tells receivers. */
const TOLERANCE_SECONDS = 300;

/**
 * `webhookConformance`: a delivery of a webhook carries the Standard Webhooks headers (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), a timestamp within five minutes, a JSON body that validates
 * against the webhook's schema, and — when the project's webhook secret is known — a valid
 * `v1,<HMAC-SHA256>` signature over `<id>.<timestamp>.<raw body>`.
 */
export function webhookConformance(
  spec: ContractSpec,
  operation: OperationSpec,
  delivery: WebhookDelivery,
  secret?: string,
): void {
  const name = operation.operationId;
  const fail = (message: string): never => {
    throw new CheckFailure(
      'webhookConformance',
      `${name} delivery ${message}: ${delivery.rawBody.slice(0, 400)}`,
    );
  };
  const id = delivery.headers['webhook-id'];
  const timestamp = delivery.headers['webhook-timestamp'];
  const signature = delivery.headers['webhook-signature'];
  if (!id || !timestamp || !signature) fail('lacks webhook-id, webhook-timestamp or webhook-signature');
  if (Math.abs(Number(timestamp) - Date.now() / 1000) > TOLERANCE_SECONDS)
    fail(`has timestamp ${timestamp}, too far from now`);
  const schemaPointer = operation.requestBody?.content.find(
    (c) => c.mediaType === 'application/json',
  )?.schemaPointer;
  if (!schemaPointer) fail('is checked against a webhook without a JSON body schema');
  const errors = spec.validate(schemaPointer as string, delivery.body);
  if (errors) fail(`breaks ${schemaPointer}: ${errors.join('; ')}`);
  if (secret) {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${delivery.rawBody}`).digest();
    const valid = (signature as string).split(' ').some((entry) => {
      const [version, value] = entry.split(',');
      if (version !== 'v1' || !value) return false;
      const given = Buffer.from(value, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!valid) fail('has no valid v1 signature for the project webhook secret');
  }
}
