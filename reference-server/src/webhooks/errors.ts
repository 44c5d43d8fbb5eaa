/** Errors of webhook signing and verification. */

/** Why a webhook's signature was refused. */
export type WebhookSignatureErrorReason =
  /** A `webhook-id`, `webhook-timestamp` or `webhook-signature` header is missing or empty. */
  | 'missing-header'
  /** `webhook-timestamp` is not a whole number of seconds. */
  | 'malformed-timestamp'
  /** `webhook-timestamp` is more than the tolerance away from the receiver's clock (a replay, or a skewed clock). */
  | 'timestamp-out-of-range'
  /** No `v1` signature in the header matches. */
  | 'bad-signature';

/** A webhook whose signature did not verify; `reason` says why. */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';

  constructor(
    readonly reason: WebhookSignatureErrorReason,
    message: string,
  ) {
    super(message);
  }
}
