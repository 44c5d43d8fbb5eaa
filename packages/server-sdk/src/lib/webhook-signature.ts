/**
 * Verification of signed webhooks ([Standard Webhooks](https://www.standardwebhooks.com/) layout):
 *
 * - `webhook-id`: the message ID (`msg_…`), reused by retries of one delivery;
 * - `webhook-timestamp`: the send time in Unix seconds;
 * - `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>`,
 *   one per active secret while a secret is rotated. The key is the bytes after the `whsec_` prefix of
 *   the signing secret, base64-decoded.
 *
 * The signature is checked over the raw bytes of the body, in constant time, and the timestamp must be
 * within the tolerance (5 minutes by default) of the receiver's clock, which stops replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError, WebhookVerificationError } from '../core/errors.js';

/** Request headers in any common shape: a Fetch `Headers`, Node's `IncomingHttpHeaders`, or a record. */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The verified envelope of one delivery. */
export interface VerifiedWebhook {
  /** The `webhook-id`: deduplicate deliveries on it. */
  id: string;
  /** The `webhook-timestamp`, as a Date. */
  timestamp: Date;
  /** The raw body as text. */
  payload: string;
}

/** Default tolerance between the `webhook-timestamp` and the receiver's clock: 5 minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';

/** Decodes a `whsec_<base64>` signing secret into its key bytes; throws naming `field` if malformed. */
export function decodeWebhookSecret(secret: string, field = 'webhookSecret'): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) {
    throw new InvalidArgumentError(field, 'must be a webhook signing secret of the form "whsec_<base64>"');
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new InvalidArgumentError(field, 'must carry base64 key bytes after the "whsec_" prefix');
  }
  return key;
}

/** Computes the `v1` signature of one message (for tests and for servers that send webhooks). */
export function signWebhookPayload(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  payload: string | Uint8Array,
): string {
  const hmac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.`);
  hmac.update(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload);
  return `v1,${hmac.digest('base64')}`;
}

/**
 * Verifies one delivery against one or more keys (several while a secret is rotated). Throws
 * {@link WebhookVerificationError} explaining what failed.
 */
export function verifyWebhookSignature(
  rawBody: unknown,
  headers: WebhookHeaders,
  keys: readonly Buffer[],
  toleranceSeconds: number,
  nowMs: number,
): VerifiedWebhook {
  const payload = rawBodyOf(rawBody);
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestampText === undefined || signatures === undefined) {
    throw new WebhookVerificationError(
      'Missing webhook-id, webhook-timestamp or webhook-signature header: this request is not a signed webhook',
    );
  }
  if (!/^\d+$/.test(timestampText))
    throw new WebhookVerificationError('The webhook-timestamp header is not Unix seconds');
  const timestamp = Number(timestampText);
  const skew = Math.abs(nowMs / 1000 - timestamp);
  if (skew > toleranceSeconds) {
    throw new WebhookVerificationError(
      `The webhook-timestamp is ${Math.round(skew)} s from this server's clock (tolerance ${toleranceSeconds} s): a replay, or a clock out of sync`,
    );
  }

  const expected = keys.map((key) =>
    Buffer.from(signWebhookPayload(key, id, timestamp, payload.bytes).slice(3), 'base64'),
  );
  for (const candidate of signatures.split(' ')) {
    const [version, encoded] = candidate.split(',', 2);
    if (version !== 'v1' || encoded === undefined) continue;
    const given = Buffer.from(encoded, 'base64');
    if (expected.some((wanted) => wanted.length === given.length && timingSafeEqual(wanted, given))) {
      return { id, timestamp: new Date(timestamp * 1000), payload: payload.text };
    }
  }
  throw new WebhookVerificationError(
    'No webhook signature matches: check the signing secret, and that the body is passed exactly as received',
  );
}

function rawBodyOf(rawBody: unknown): { bytes: Buffer; text: string } {
  if (typeof rawBody === 'string') return { bytes: Buffer.from(rawBody, 'utf8'), text: rawBody };
  if (rawBody instanceof Uint8Array) {
    const bytes = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
    return { bytes, text: bytes.toString('utf8') };
  }
  throw new WebhookVerificationError(
    'The body must be the raw request body (a string or bytes), not parsed JSON: re-serialising changes the bytes the signature covers',
  );
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name)?.trim() || undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const value = record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  const text = Array.isArray(value) ? value.join(' ') : (value as string | undefined);
  return text?.trim() || undefined;
}
