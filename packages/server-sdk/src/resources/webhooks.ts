/**
 * Webhook verification with the client's configured signing secret(s).
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { WebhookHeaders } from '../lib/webhook-signature.js';
import { type VerifiedWebhookEvent, WebhookReceiver } from '../lib/webhooks.js';

/** Verify webhooks with the client's `webhookSecret`. */
export class Webhooks {
  readonly #receiver: WebhookReceiver | undefined;

  /** @internal Created by the client. */
  constructor(secrets: readonly string[]) {
    this.#receiver = secrets.length > 0 ? new WebhookReceiver(secrets) : undefined;
  }

  /**
   * Verifies a delivery over its raw body and returns its typed event; throws
   * `WebhookVerificationError` for a bad signature or a stale timestamp.
   */
  verify(
    rawBody: string | Uint8Array,
    headers: WebhookHeaders,
    options?: { now?: Date | number },
  ): VerifiedWebhookEvent {
    if (!this.#receiver) {
      throw new InvalidArgumentError(
        'webhookSecret',
        'must be set in the client options (or PARLEY_WEBHOOK_SECRET) to verify webhooks',
      );
    }
    return this.#receiver.verify(rawBody, headers, options);
  }
}
