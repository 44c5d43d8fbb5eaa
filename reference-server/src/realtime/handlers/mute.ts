/** `update` on the session URI with `reason: "mute"`: force-mute every stream (forceMuteAll / disableForceMute). */
import { SignalingError } from '../errors.js';
import type { BoundRequestContext, HandlerResult } from './context.js';
import { requirePermission } from './guards.js';

/** Turns the session's force-mute on (except `exclusion`) or off. Other session updates are acknowledged. */
export function updateSession({ session, connection, message, deps }: BoundRequestContext): HandlerResult {
  const content = message.content;
  if (content.reason !== 'mute') {
    deps.logger.debug({ content }, 'ignored session update');
    return {};
  }
  requirePermission(connection, 'forcemute', 'force-mute the session');
  if (typeof content.active !== 'boolean')
    throw new SignalingError('BAD_REQUEST', 'content.active must be a boolean');
  const exclusion = content.exclusion ?? [];
  if (!Array.isArray(exclusion) || exclusion.some((id) => typeof id !== 'string')) {
    throw new SignalingError('BAD_REQUEST', 'content.exclusion must be an array of stream IDs');
  }
  const active = content.active;
  return { after: () => session.setMuteAll(active, exclusion as string[], connection) };
}
