/**
 * The realtime layer: live sessions, the signaling gateway of OpenTok.js-compatible clients, and the media
 * bridges. See {@link createRealtime}.
 */
export { AdmissionError, type AdmittedClient, admitClient } from './access.js';
export { CloseCode } from './close-codes.js';
export { SIGNALING_ERRORS, SignalingError, type SignalingErrorName } from './errors.js';
export { DEFAULT_GATEWAY_LIMITS, type GatewayLimits, SignalingGateway } from './gateway/gateway.js';
export { SIGNALING_PATH } from './gateway/paths.js';
export type { RealtimeLogger } from './logger.js';
export { RelayedMedia } from './media/relayed.js';
export { RoutedMedia } from './media/routed.js';
export type { JsepMessage, MediaBridge, StreamProducers, StreamProducersEvents } from './media/types.js';
export { createRealtime, type Realtime, type RealtimeOptions } from './realtime.js';
export { LiveArchiveNotifier } from './recording/archive-notifier.js';
export { LiveMediaSource } from './recording/live-media-source.js';
export { LiveMediaSources } from './recording/media-sources.js';
export type { LiveSessionEvents, MuteState } from './session/events.js';
export { LiveSession, type SessionProject } from './session/live-session.js';
export { LiveSessionRegistry } from './session/registry.js';
export * from './session/types.js';
