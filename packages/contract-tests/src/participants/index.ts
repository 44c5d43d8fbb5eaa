/** Headless participants that join sessions over the OpenTok.js signaling protocol and carry real media. */

export type { OfferDirection } from './media/media-sender.js';
export type { MediaNetwork } from './media/network.js';
export type { MediaKind } from './media/recording.js';
export {
  negotiationMismatches,
  type PublisherStats,
  type ReceivedTrackStats,
  type SentTrackStats,
  type SubscriberStats,
} from './media/stats.js';
export * from './participant.js';
export { type JoinOptions, joinSession, PARTICIPANT_CLIENT_VERSION } from './rumor-participant.js';
