/**
 * Which channel attributes a publisher's channel update may change, and how they apply. Kept apart from
 * the session because the list is OpenTok.js's, not ours: the client drops a whole `updated` message at
 * the first key it does not know, so only these keys may ever be forwarded.
 */
import type { StreamChannel } from './types.js';

/** The channel attributes a publisher may change and OpenTok.js reads in `updated` messages. */
export const CHANNEL_UPDATE_KEYS = [
  'active',
  'width',
  'height',
  'orientation',
  'frameRate',
  'fitMode',
  'source',
  'disableWarning',
] as const;

/**
 * Applies the known attributes of an update to a channel and returns the ones it carried (the content of
 * the `updated` broadcast); unknown attributes are ignored.
 */
export function applyChannelUpdate(
  channel: StreamChannel,
  attributes: Record<string, unknown>,
): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const key of CHANNEL_UPDATE_KEYS) {
    const value = attributes[key];
    if (value === undefined) continue;
    changed[key] = value;
    if (key === 'active') channel.active = value === true;
    else channel.attributes[key] = value;
  }
  return changed;
}
