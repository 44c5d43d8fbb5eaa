/**
 * Captions → clients, the way OpenTok.js expects them: a `data` message on
 * `…/stream/{streamId}/channel/caption1/data/{fresh id}` whose `content.data` is the JSON string of
 * `{caption: {text}, streamId, isFinal}` (the spec's `ServerCaptionData`), sent from the server's
 * `symphony.` address to each connection that subscribes to the stream with captions on
 * (`subscribeToCaptions(true)`, tracked as `LiveSubscriber.captionsActive`). OpenTok.js raises
 * `captionReceived` on that subscriber.
 */
import { randomUUID } from 'node:crypto';
import type { LiveSession } from '../../realtime/session/live-session.js';
import type { OutboundMessage } from '../../realtime/session/types.js';
import type { RecognitionResult } from './recognizer.js';

/** The caption channel of a stream (OpenTok.js `caption1`). */
export const CAPTION_CHANNEL = 'caption1';

/** The caption message for `streamId` (one object, shared by every recipient). */
export function captionMessage(
  session: LiveSession,
  streamId: string,
  result: RecognitionResult,
): OutboundMessage {
  return {
    method: 'data',
    uri: session.uri(['stream', streamId], ['channel', CAPTION_CHANNEL], ['data', randomUUID()]),
    content: { data: JSON.stringify({ caption: { text: result.text }, streamId, isFinal: result.isFinal }) },
    from: session.serverAddress,
  };
}

/**
 * Sends a caption of `streamId` to the connections subscribed to it with captions on; returns how many
 * received it. A connection with several such subscriptions to the stream gets it once.
 */
export function deliverCaption(session: LiveSession, streamId: string, result: RecognitionResult): number {
  const stream = session.stream(streamId);
  if (!stream) return 0;
  const recipients = new Set<string>();
  for (const subscriber of stream.subscribers.values()) {
    if (subscriber.captionsActive === true) recipients.add(subscriber.connectionId);
  }
  if (recipients.size === 0) return 0;
  const message = captionMessage(session, streamId, result);
  let delivered = 0;
  for (const connectionId of recipients) if (session.sendTo(connectionId, message)) delivered++;
  return delivered;
}

/** Whether a stream's publisher sends its audio for captioning (`publishCaptions`, channel `caption1`). */
export function publishesCaptions(stream: { channels: ReadonlyMap<string, { active: boolean }> }): boolean {
  return stream.channels.get(CAPTION_CHANNEL)?.active === true;
}
