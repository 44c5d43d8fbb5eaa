/** `update …/stream/{sid}/channel/{ch}`: the publisher changes a channel (publishAudio, publishVideo, dimensions). */
import { SignalingError } from '../errors.js';
import type { BoundRequestContext, HandlerResult } from './context.js';
import { requireStream } from './guards.js';

/** Applies the update and broadcasts `updated` for the channel (`streamPropertyChanged` on the clients). */
export function updateStreamChannel({
  session,
  connection,
  uri,
  message,
}: BoundRequestContext): HandlerResult {
  const stream = requireStream(session, uri.params.stream, connection);
  if (stream.connectionId !== connection.id) {
    throw new SignalingError('PERMISSION_DENIED', "Only a stream's publisher may change its channels");
  }
  const channelId = uri.params.channel ?? '';
  const content = message.content;
  for (const field of ['width', 'height', 'orientation', 'frameRate'] as const) {
    if (content[field] !== undefined && (typeof content[field] !== 'number' || !(content[field] >= 0))) {
      throw new SignalingError('BAD_REQUEST', `content.${field} must be a non-negative number`);
    }
  }
  if (content.active !== undefined && typeof content.active !== 'boolean') {
    throw new SignalingError('BAD_REQUEST', 'content.active must be a boolean');
  }
  session.updateChannel(stream, channelId, content);
  return {};
}
