/**
 * `stream` requests: `create` (publish), `delete` (unpublish, or force-unpublish another client's stream)
 * and `update` with `reason: "mute"` (force-mute a stream).
 */
import { SignalingError } from '../errors.js';
import type { LiveStream, StreamChannel } from '../session/types.js';
import type { BoundRequestContext, HandlerResult } from './context.js';
import { optionalBoolean, optionalString, requireId, requirePermission, requireStream } from './guards.js';

const CHANNEL_TYPES: Readonly<Record<string, StreamChannel['type']>> = {
  audio1: 'audio',
  video1: 'video',
  caption1: 'data',
  downlinkStats1: 'data',
};

/** `create …/stream/{sid}`: the stream is added, answered with the ICE servers, then handed to the media bridge. */
export function createStream({
  session,
  connection,
  uri,
  message,
  deps,
}: BoundRequestContext): HandlerResult {
  requirePermission(connection, 'publish', 'publish');
  if (!session.media.ready) throw new SignalingError('MEDIA_UNAVAILABLE');
  const streamId = requireId(uri.params.stream, 'stream');
  const content = message.content;
  if (content.id !== undefined && content.id !== streamId) {
    throw new SignalingError('BAD_REQUEST', 'content.id must match the stream ID of the URI');
  }
  const e2ee = optionalBoolean(content, 'e2ee') ?? false;
  if (e2ee !== session.e2ee) throw new SignalingError('INCOMPATIBLE_ENCRYPTION');
  const customProperties = content.customProperties ?? {};
  if (typeof customProperties !== 'object' || customProperties === null || Array.isArray(customProperties)) {
    throw new SignalingError('BAD_REQUEST', 'content.customProperties must be an object');
  }
  const stream: LiveStream = {
    id: streamId,
    connectionId: connection.id,
    name: optionalString(content, 'name', 1000) ?? '',
    creationTime: deps.now(),
    channels: parseChannels(content.channel),
    customProperties: customProperties as Record<string, unknown>,
    publisherAudioFallbackEnabled: optionalBoolean(content, 'publisherAudioFallbackEnabled') ?? false,
    subscriberAudioFallbackEnabled: optionalBoolean(content, 'subscriberAudioFallbackEnabled') ?? false,
    sourceStreamId: session.mediaMode === 'relayed' ? 'P2P' : 'MANTIS',
    layoutClassList: [...connection.initialLayoutClassList],
    announced: false,
    subscribers: new Map(),
  };
  session.addStream(stream);
  const body: Record<string, unknown> = { content: { iceServers: deps.iceServers() } };
  if (session.mutesOnEntry(stream.id)) body.mute = { active: true };
  return { body, after: () => session.media.streamCreated(stream, connection) };
}

/**
 * `delete …/stream/{sid}`: the publisher unpublishes (`clientDisconnected`); anyone else needs the
 * `forceunpublish` permission (`forceUnpublished`). Deleting a stream that already ended succeeds, because
 * a force-unpublished publisher also deletes its own stream.
 */
export function deleteStream({ session, connection, uri }: BoundRequestContext): HandlerResult {
  const streamId = uri.params.stream ?? '';
  const stream = session.stream(streamId);
  if (!stream) {
    if (session.recentlyEnded(streamId)) return {};
    throw new SignalingError('NOT_FOUND', `Stream ${streamId} was not found`);
  }
  if (stream.connectionId === connection.id) {
    session.removeStream(stream.id, 'clientDisconnected');
    return {};
  }
  requirePermission(connection, 'forceunpublish', "unpublish another client's stream");
  return { after: () => session.removeStream(stream.id, 'forceUnpublished') };
}

/** `update …/stream/{sid}`: `reason: "mute"` force-mutes the stream; other updates are acknowledged. */
export function updateStream(context: BoundRequestContext): HandlerResult {
  const { session, connection, uri, message, deps } = context;
  const stream = requireStream(session, uri.params.stream, connection);
  if (message.content.reason !== 'mute') {
    deps.logger.debug({ content: message.content }, 'ignored stream update');
    return {};
  }
  requirePermission(connection, 'forcemute', 'force-mute a stream');
  return { after: () => session.forceMuteStream(stream.id) };
}

function parseChannels(value: unknown): Map<string, StreamChannel> {
  const channels = new Map<string, StreamChannel>();
  if (value === undefined) return channels;
  if (!Array.isArray(value) || value.length > 8) {
    throw new SignalingError('BAD_REQUEST', 'content.channel must be an array of at most 8 channels');
  }
  for (const [index, raw] of value.entries()) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new SignalingError('BAD_REQUEST', `content.channel[${index}] must be an object`);
    }
    const { id, type, active, ...attributes } = raw as Record<string, unknown>;
    const expected = typeof id === 'string' ? CHANNEL_TYPES[id] : undefined;
    if (!expected || (type !== undefined && type !== expected)) {
      throw new SignalingError(
        'BAD_REQUEST',
        `content.channel[${index}] must be audio1 (audio), video1 (video), caption1 or downlinkStats1 (data)`,
      );
    }
    if (channels.has(id as string)) {
      throw new SignalingError('BAD_REQUEST', `content.channel[${index}] repeats channel ${String(id)}`);
    }
    channels.set(id as string, {
      id: id as string,
      type: expected,
      active: active !== false,
      attributes: expected === 'video' ? attributes : {},
    });
  }
  return channels;
}
