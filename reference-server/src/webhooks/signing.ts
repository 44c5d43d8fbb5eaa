/**
 * Webhook signatures in the Standard Webhooks layout (spec: `webhookSignature` security scheme):
 *
 * - `webhook-id`: `msg_<random>`, the same for every retry of one delivery;
 * - `webhook-timestamp`: the send time in Unix seconds, fresh for every attempt;
 * - `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>`,
 *   one per active secret, where the key is the bytes of the `whsec_<base64>` secret after the prefix.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from './errors.js';

export { WebhookSignatureError, type WebhookSignatureErrorReason } from './errors.js';

/** The three signature headers of a delivery (a type alias, so it fits {@link HeaderSource} as a record). */
export type WebhookSignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Receivers refuse timestamps further than this from their clock unless told otherwise. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A fresh Standard Webhooks message ID: `msg_` and 20 random bytes, base64url. */
export function newWebhookId(): string {
  return `msg_${randomBytes(20).toString('base64url')}`;
}

/** A fresh webhook signing secret, `whsec_` and 32 random bytes, base64. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The HMAC key a `whsec_<base64>` secret stands for. Throws a `TypeError` for a malformed secret. */
export function webhookSecretKey(secret: string): Buffer {
  // Standard Webhooks libraries accept the secret with or without its prefix; so do we.
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) throw new TypeError('The webhook secret must be "whsec_" followed by base64');
  return Buffer.from(encoded, 'base64');
}

/** What {@link signWebhook} signs. */
export interface SignWebhookInput {
  /** One secret, or every active secret while one is rotated (one signature each). */
  secret: string | readonly string[];
  /** The message ID (`msg_…`), reused by every retry. */
  id: string;
  /** The send time, Unix seconds. */
  timestamp: number;
  /** The exact body bytes that will be sent. */
  body: string | Uint8Array;
}

/** Signs one delivery attempt and returns the headers to send with it. */
export function signWebhook(input: SignWebhookInput): WebhookSignatureHeaders {
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) {
    throw new TypeError(`timestamp must be whole Unix seconds, got ${input.timestamp}`);
  }
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  if (secrets.length === 0) throw new TypeError('secret: at least one webhook secret is needed');
  const timestamp = String(input.timestamp);
  const signatures = secrets.map(
    (secret) => `v1,${sign(webhookSecretKey(secret), input.id, timestamp, input.body)}`,
  );
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures.join(' '),
  };
}

/** Request headers in any common shape: a Fetch `Headers`, or a Node `IncomingHttpHeaders`-like record. */
export type HeaderSource =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** What {@link verifyWebhookSignature} checks. */
export interface VerifyWebhookInput {
  /** The project's webhook secret, `whsec_<base64>`. */
  secret: string;
  headers: HeaderSource;
  /** The raw body exactly as received, before any parsing. */
  body: string | Uint8Array;
  /** The receiver's clock, ms since the Unix epoch. Default `Date.now()`. */
  now?: number;
  /** Allowed distance between `webhook-timestamp` and the clock, seconds. Default 300. */
  toleranceSec?: number;
}

/**
 * Verifies a delivery's signature over the raw body in constant time and checks its timestamp. Returns
 * the message ID (to de-duplicate retries) and the send time; throws {@link WebhookSignatureError}.
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): { id: string; timestamp: number } {
  const id = header(input.headers, 'webhook-id');
  const timestampText = header(input.headers, 'webhook-timestamp');
  const signatureList = header(input.headers, 'webhook-signature');
  if (!/^[0-9]{1,12}$/.test(timestampText)) {
    throw new WebhookSignatureError('malformed-timestamp', 'webhook-timestamp is not a Unix time in seconds');
  }
  const timestamp = Number(timestampText);
  const nowSec = Math.floor((input.now ?? Date.now()) / 1000);
  const tolerance = input.toleranceSec ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(nowSec - timestamp) > tolerance) {
    throw new WebhookSignatureError(
      'timestamp-out-of-range',
      `webhook-timestamp ${timestamp} is more than ${tolerance} s from now (${nowSec})`,
    );
  }
  const expected = Buffer.from(sign(webhookSecretKey(input.secret), id, timestampText, input.body), 'base64');
  for (const entry of signatureList.split(' ')) {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature || !BASE64.test(signature)) continue;
    const candidate = Buffer.from(signature, 'base64');
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected))
      return { id, timestamp };
  }
  throw new WebhookSignatureError('bad-signature', 'No webhook-signature matches the body and the secret');
}

function sign(key: Buffer, id: string, timestamp: string, body: string | Uint8Array): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

function header(headers: HeaderSource, name: string): string {
  const raw =
    typeof headers.get === 'function' ? (headers as { get(n: string): string | null }).get(name) : undefined;
  const value = raw ?? (headers as Record<string, string | string[] | undefined>)[name];
  const text = Array.isArray(value) ? value.join(' ') : value;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new WebhookSignatureError('missing-header', `The ${name} header is missing`);
  }
  return text.trim();
}
