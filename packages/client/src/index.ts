/**
 * `@parley/client`: the open-source browser client of Parley. It speaks the OpenTok.js wire protocol, so
 * a session may mix Parley clients and OpenTok.js clients, and it keeps the OpenTok.js concepts and event
 * names with a typed, promise-based API.
 *
 * @example
 * ```ts
 * import { initSession } from '@parley/client';
 *
 * const session = initSession(projectId, sessionId, { url: 'https://video.example.com' });
 * session.on('streamCreated', async ({ stream }) => {
 *   const subscriber = await session.subscribe(stream);
 *   videoElement.srcObject = subscriber.mediaStream;
 * });
 * await session.connect(token);
 * await session.publish({ name: 'Alice' });
 * ```
 */
import { InvalidParameterError } from './errors.js';
import { createLogger, DEFAULT_LOG_LEVEL, type LogLevel, type LogSink } from './logger.js';
import { BrowserMediaHandler } from './media/browser-handler.js';
import type { MediaHandler } from './media/handler.js';
import { resolveSessionOptions, type SessionOptions } from './options.js';
import { Publisher, type PublisherOptions } from './Publisher.js';
import { Session } from './Session.js';

/**
 * Creates a session object. Nothing happens on the network until `session.connect(token)`.
 *
 * @param projectId The project ID (OpenTok API key) the session belongs to.
 * @param sessionId The session ID, as created by your server.
 * @param options At least `url`, the base URL of the Parley server.
 */
export function initSession(projectId: string, sessionId: string, options: SessionOptions): Session {
  if (typeof projectId !== 'string' || projectId === '') {
    throw new InvalidParameterError('projectId', 'must be a non-empty string');
  }
  if (typeof sessionId !== 'string' || sessionId === '' || /[/?#\s]/.test(sessionId)) {
    throw new InvalidParameterError('sessionId', 'must be a non-empty string without / ? # or spaces');
  }
  return new Session(projectId, sessionId, resolveSessionOptions(options));
}

/** Options of {@link initPublisher} besides the publisher's own. */
export interface InitPublisherOptions {
  /** Replaces the browser media layer (tests). */
  mediaHandler?: MediaHandler;
  logger?: LogSink;
  logLevel?: LogLevel;
}

/**
 * Creates a publisher and starts capturing, before (or without) publishing: attach listeners such as
 * `accessDenied`, show `publisher.mediaStream` as a preview, then `session.publish(publisher)`.
 */
export function initPublisher(options: PublisherOptions = {}, init: InitPublisherOptions = {}): Publisher {
  const logger = createLogger(init.logger ?? console, init.logLevel ?? DEFAULT_LOG_LEVEL, 'client');
  const publisher = new Publisher(options, init.mediaHandler ?? new BrowserMediaHandler(), logger);
  // Capture starts now; its failure is reported through `accessDenied` and again by `publish()`.
  publisher.init().catch(() => {});
  return publisher;
}

export type { Capabilities, Permission } from './Connection.js';
export { Connection } from './Connection.js';
export {
  ErrorCode,
  type ErrorName,
  InvalidParameterError,
  ParleyClientError,
  RequestTimeoutError,
} from './errors.js';
export type * from './events.js';
export type { Logger, LogLevel, LogSink } from './logger.js';
export type {
  CaptureRequest,
  FrameCryptor,
  MediaHandler,
  MediaPeerEvents,
  PeerOptions,
} from './media/handler.js';
export { MediaPeer } from './media/handler.js';
export type { SessionOptions } from './options.js';
export { Publisher, type PublisherOptions } from './Publisher.js';
export { Session, type SessionState } from './Session.js';
export {
  type ChannelUpdate,
  Stream,
  type StreamProperty,
  type VideoDimensions,
  type VideoType,
} from './Stream.js';
export { Subscriber, type SubscriberOptions } from './Subscriber.js';
export type { SignalOptions } from './session/signals.js';
export {
  DefaultReconnectPolicy,
  type DefaultReconnectPolicyOptions,
  type ReconnectContext,
  type ReconnectPolicy,
} from './signaling/reconnect-policy.js';
export {
  SignalingTransport,
  type SignalingTransportEvents,
  type SignalingTransportFactory,
} from './signaling/transport.js';
