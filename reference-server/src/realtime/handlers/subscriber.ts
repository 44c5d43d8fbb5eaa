/** `subscriber` requests: `create` (subscribe to a stream), `delete` (unsubscribe) and `update`. */
import { SignalingError } from '../errors.js';
import type { SubscriberVideoPreferences } from '../media/types.js';
import type { LiveSubscriber } from '../session/types.js';
import type { BoundRequestContext, HandlerResult } from './context.js';
import { requireId, requirePermission, requireStream } from './guards.js';

/** Whether a subscriber create's `content.channel` turns the caption channel on (`subscribeToCaptions`). */
function captionsRequested(channels: unknown): boolean {
  if (!Array.isArray(channels)) return false;
  return channels.some(
    (channel: unknown) =>
      typeof channel === 'object' &&
      channel !== null &&
      (channel as { id?: unknown }).id === 'caption1' &&
      (channel as { active?: unknown }).active === true,
  );
}

const VIDEO_PREFERENCE_FIELDS = ['preferredWidth', 'preferredHeight', 'preferredFrameRate'] as const;

/**
 * The preferred resolution and frame rate in a video channel's attributes (`setPreferredResolution`,
 * `setPreferredFrameRate`, or the subscriber options at create), or null when it has none. `where` names
 * the object in the error for a value that is neither a number nor null.
 */
function videoPreferences(attributes: unknown, where: string): SubscriberVideoPreferences | null {
  if (typeof attributes !== 'object' || attributes === null) return null;
  const preferences: SubscriberVideoPreferences = {};
  let found = false;
  for (const field of VIDEO_PREFERENCE_FIELDS) {
    if (!(field in attributes)) continue;
    const value = (attributes as Record<string, unknown>)[field];
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new SignalingError('BAD_REQUEST', `${where}.${field} must be a non-negative number or null`);
    }
    preferences[field] = value;
    found = true;
  }
  return found ? preferences : null;
}

/**
 * `create …/stream/{sid}/subscriber/{subId}`: answered with the ICE servers, then the media bridge starts
 * the negotiation. The subscriber is always the requesting connection, whatever `content.connection` claims.
 */
export function createSubscriber({
  session,
  connection,
  uri,
  deps,
  message,
}: BoundRequestContext): HandlerResult {
  requirePermission(connection, 'subscribe', 'subscribe');
  const stream = requireStream(session, uri.params.stream, connection);
  const subscriberId = requireId(uri.params.subscriber, 'subscriber');
  const subscriber: LiveSubscriber = {
    id: subscriberId,
    streamId: stream.id,
    connectionId: connection.id,
    creationTime: deps.now(),
    captionsActive: captionsRequested(message.content.channel),
  };
  const channels: unknown[] = Array.isArray(message.content.channel) ? message.content.channel : [];
  const videoChannel = channels.find(
    (channel) =>
      typeof channel === 'object' && channel !== null && (channel as { id?: unknown }).id === 'video1',
  );
  const preferences = videoPreferences(videoChannel, 'content.channel[video1]');
  session.addSubscriber(stream, subscriber);
  return {
    body: { content: { iceServers: deps.iceServers() } },
    after: () => {
      session.media.subscriberCreated(stream, subscriber);
      if (preferences) session.media.subscriberPreferencesChanged?.(stream, subscriber, preferences);
    },
  };
}

/** `delete …/stream/{sid}/subscriber/{subId}`: only the subscribing connection may end its subscription. */
export function deleteSubscriber({ session, connection, uri }: BoundRequestContext): HandlerResult {
  const stream = session.stream(uri.params.stream ?? '');
  const subscriber = stream?.subscribers.get(uri.params.subscriber ?? '');
  // Gone already (the stream ended, or a re-sent delete): nothing left to do.
  if (!stream || !subscriber) return {};
  if (subscriber.connectionId !== connection.id) {
    throw new SignalingError('PERMISSION_DENIED', "A client may not end another client's subscription");
  }
  session.removeSubscriber(stream, subscriber.id);
  return {};
}

/**
 * `update …/subscriber/{subId}[/channel/{ch}]`: subscriber preferences, checked for ownership. Turning the
 * audio or video channel off or on (`subscribeToAudio`/`subscribeToVideo`) stops or resumes forwarding in
 * routed sessions, and a preferred video resolution or frame rate picks the simulcast layer; other
 * preferences are acknowledged.
 */
export function updateSubscriber({
  session,
  connection,
  uri,
  deps,
  message,
}: BoundRequestContext): HandlerResult {
  const stream = requireStream(session, uri.params.stream, connection);
  const subscriber = stream.subscribers.get(uri.params.subscriber ?? '');
  if (!subscriber) throw new SignalingError('NOT_FOUND', `Subscriber ${uri.params.subscriber} was not found`);
  if (subscriber.connectionId !== connection.id) {
    throw new SignalingError('PERMISSION_DENIED', "A client may not change another client's subscription");
  }
  const channel = uri.params.channel;
  const kind = channel === 'audio1' ? 'audio' : channel === 'video1' ? 'video' : null;
  if (kind && typeof message.content.active === 'boolean') {
    session.media.subscriberChannelChanged(stream, subscriber, kind, message.content.active);
    return {};
  }
  // `subscribeToCaptions`: live captions of the stream are sent to this subscriber while it is on.
  if (channel === 'caption1' && typeof message.content.active === 'boolean') {
    subscriber.captionsActive = message.content.active;
    return {};
  }
  // `setPreferredResolution` / `setPreferredFrameRate`: the layer a routed simulcast stream forwards.
  const preferences = kind === 'video' ? videoPreferences(message.content, 'content') : null;
  if (preferences) {
    session.media.subscriberPreferencesChanged?.(stream, subscriber, preferences);
    return {};
  }
  deps.logger.debug({ subscriberId: subscriber.id, content: message.content }, 'subscriber preference');
  return {};
}
