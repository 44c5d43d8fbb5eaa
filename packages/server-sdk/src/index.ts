/**
 * `@parley/server-sdk`: the typed Node server SDK of the Parley Video API, compatible with Vonage's
 * Video API. Start with {@link Parley}; code written for `@vonage/video` can switch with
 * {@link Video} by changing one import.
 */
export { Parley } from './client.js';
export { type ClientOptions, OPENTOK_BASE_URL, VONAGE_BASE_URL } from './client-options.js';
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorInit,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  InvalidArgumentError,
  MethodNotAllowedError,
  NotFoundError,
  ParleyError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  type RequestDescription,
  type ResponseHeaders,
  WebhookVerificationError,
} from './core/errors.js';
export type { PrivateKeyInput } from './core/keys.js';
export type { Logger, LogLevel } from './core/logger.js';
export { type ListEnvelope, OffsetPage, type OffsetPageParams, PagePromise } from './core/pagination.js';
export type { RequestOptions } from './core/request.js';
export * from './generated/types.js';
export {
  assertSessionIdShape,
  type DecodedSessionId,
  decodeSessionId,
  MAX_SESSION_ID_LENGTH,
  sessionBelongsToApiKey,
} from './lib/session-id.js';
export {
  type ClientTokenOptions,
  DEFAULT_TOKEN_TTL_SECONDS,
  MAX_TOKEN_FIELD_LENGTH,
  MAX_TOKEN_TTL_SECONDS,
  TOKEN_ROLES,
} from './lib/token-options.js';
export { Video, type VonageAuthLike, type VonageVideoOptions } from './lib/vonage-compat.js';
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  signWebhookPayload,
  type WebhookHeaders,
} from './lib/webhook-signature.js';
export {
  type VerifiedWebhookEvent,
  verifyWebhook,
  type WebhookEvent,
  type WebhookEventType,
  WebhookReceiver,
  type WebhookReceiverOptions,
} from './lib/webhooks.js';
export {
  type ExcludedOperation,
  OPERATION_MAP,
  type OperationId,
  type OperationTarget,
} from './operations.js';
export type {
  ArchiveDownload,
  ArchiveListParams,
  ArchiveStartOptions,
  StreamTracks,
} from './resources/archives.js';
export type { AudioConnectorOptions } from './resources/audio-connector.js';
export type { BroadcastListParams, BroadcastStartOptions } from './resources/broadcasts.js';
export type { CaptionsStartOptions } from './resources/captions.js';
export type { RenderStartOptions } from './resources/renders.js';
export type { ArchiveMode, MediaMode, Session, SessionCreateOptions } from './resources/sessions.js';
export type { SignalSendParams } from './resources/signals.js';
export type { SipDialOptions } from './resources/sip.js';
export { SDK_VERSION } from './version.js';
