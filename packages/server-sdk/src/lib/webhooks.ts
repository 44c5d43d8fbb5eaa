/**
 * Signed webhooks: verify a delivery over its raw body, then parse it into a typed event.
 *
 * ```ts
 * const receiver = new WebhookReceiver(process.env.PARLEY_WEBHOOK_SECRET);
 * app.post('/hooks', express.raw({ type: 'application/json' }), (req, res) => {
 *   const { id, event } = receiver.verify(req.body, req.headers);
 *   if (event.event === 'archive' && event.status === 'available') download(event.id);
 *   res.sendStatus(204);
 * });
 * ```
 */
import { InvalidArgumentError, WebhookVerificationError } from '../core/errors.js';
import type {
  ArchiveStatusEvent,
  BroadcastStatusEvent,
  CaptionsStatusEvent,
  ConnectionCreatedEvent,
  ConnectionDestroyedEvent,
  RenderStatusEvent,
  SessionCreatedEvent,
  SessionDestroyedEvent,
  SipCallEvent,
  StreamCreatedEvent,
  StreamDestroyedEvent,
} from '../generated/types.js';
import {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  decodeWebhookSecret,
  verifyWebhookSignature,
  type WebhookHeaders,
} from './webhook-signature.js';

/**
 * Every webhook body, discriminated by `event`: `connectionCreated`, `connectionDestroyed`,
 * `streamCreated`, `streamDestroyed`, `sessionCreated`, `sessionDestroyed`, `archive`, `broadcast`,
 * `callCreated`, `callUpdated`, `callDestroyed`, `muteForced`, `render` or `captions`. Event types
 * added to the API later arrive with their own `event` value: keep a default branch.
 */
export type WebhookEvent =
  | ConnectionCreatedEvent
  | ConnectionDestroyedEvent
  | StreamCreatedEvent
  | StreamDestroyedEvent
  | SessionCreatedEvent
  | SessionDestroyedEvent
  | ArchiveStatusEvent
  | BroadcastStatusEvent
  | SipCallEvent
  | RenderStatusEvent
  | CaptionsStatusEvent;

/** The `event` names of {@link WebhookEvent}. */
export type WebhookEventType = WebhookEvent['event'];

/** A verified, parsed delivery. */
export interface VerifiedWebhookEvent {
  /** The `webhook-id`; retries of one delivery share it, so deduplicate on it. */
  id: string;
  /** When the delivery was sent (`webhook-timestamp`). */
  timestamp: Date;
  /** The event. */
  event: WebhookEvent;
}

/** Options of {@link WebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** Largest allowed distance between `webhook-timestamp` and this server's clock, in seconds. Default 300. */
  toleranceSeconds?: number;
}

/** Verifies and parses the webhooks of one project. The signing secret is decoded once, here. */
export class WebhookReceiver {
  readonly #keys: Buffer[];
  readonly #toleranceSeconds: number;

  /**
   * @param secret The project's webhook signing secret (`whsec_…`), or several while rotating.
   */
  constructor(secret: string | readonly string[] | undefined, options: WebhookReceiverOptions = {}) {
    const secrets = typeof secret === 'string' ? [secret] : [...(secret ?? [])];
    if (secrets.length === 0) {
      throw new InvalidArgumentError(
        'webhookSecret',
        'is required to verify webhooks (the project\'s "whsec_…" secret)',
      );
    }
    this.#keys = secrets.map((value, index) =>
      decodeWebhookSecret(value, secrets.length === 1 ? 'webhookSecret' : `webhookSecret[${index}]`),
    );
    const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
    if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
      throw new InvalidArgumentError(
        'options.toleranceSeconds',
        `must be a non-negative number (got ${tolerance})`,
      );
    }
    this.#toleranceSeconds = tolerance;
  }

  /**
   * Verifies a delivery and returns its event. `rawBody` must be the body exactly as received (a string
   * or bytes — not parsed JSON); `headers` any common header shape. Throws
   * {@link WebhookVerificationError}: answer such requests with 400.
   */
  verify(
    rawBody: string | Uint8Array,
    headers: WebhookHeaders,
    options: { now?: Date | number } = {},
  ): VerifiedWebhookEvent {
    const now = options.now === undefined ? Date.now() : new Date(options.now).getTime();
    const verified = verifyWebhookSignature(rawBody, headers, this.#keys, this.#toleranceSeconds, now);
    return { id: verified.id, timestamp: verified.timestamp, event: parseEvent(verified.payload) };
  }
}

/** Verifies one delivery with `secret`; see {@link WebhookReceiver.verify}. */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: WebhookReceiverOptions & { now?: Date | number } = {},
): VerifiedWebhookEvent {
  return new WebhookReceiver(secret, options).verify(rawBody, headers, options);
}

function parseEvent(payload: string): WebhookEvent {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    throw new WebhookVerificationError('The webhook body is signed but is not JSON');
  }
  if (typeof body !== 'object' || body === null || typeof (body as { event?: unknown }).event !== 'string') {
    throw new WebhookVerificationError('The webhook body is signed but has no "event" field');
  }
  return body as WebhookEvent;
}
