/**
 * The media bridge of routed sessions on a server without an SFU: signaling, signals and moderation work,
 * publishing is refused (`ready` is false, so stream create answers 503).
 */
import { SignalingError } from '../errors.js';
import type { MediaBridge } from './types.js';

/** A bridge that carries no media. */
export class UnavailableMedia implements MediaBridge {
  readonly ready = false;
  streamCreated(): void {}
  streamRemoved(): void {}
  subscriberCreated(): void {}
  subscriberRemoved(): void {}
  subscriberChannelChanged(): void {}
  audioForceMuted(): void {}
  jsep(): void {
    throw new SignalingError('MEDIA_UNAVAILABLE');
  }
  close(): void {}
}
