/**
 * Live captions as the server sends them (the OpenTok.js wire protocol): a `data` message on
 * `…/stream/{streamId}/channel/caption1/data/{id}` whose `content.data` is the JSON string of
 * `{caption: {text}, streamId, isFinal}`. The server sends it once per connection that subscribes to the
 * stream with captions on; the session hands it to each of its subscribers of the stream, and those with
 * captions on raise `captionReceived`.
 */
import type { CaptionReceivedEvent } from '../events.js';

/** The stream channel that carries captions (OpenTok.js `caption1`). */
export const CAPTION_CHANNEL = 'caption1';

/** A caption message read into its event, or why it could not be. */
export type ParsedCaption = { event: CaptionReceivedEvent } | { invalid: string };

/**
 * Reads the `content` of a caption `data` message. `uriStreamId` is the stream named by the message URI;
 * it stands in for a payload without `streamId`, and a payload naming another stream is refused (a caption
 * must never be shown under the wrong speaker). `content.data` may be the JSON string the protocol defines
 * or, leniently, the object itself.
 */
export function parseCaption(content: Record<string, unknown>, uriStreamId: string): ParsedCaption {
  let payload: unknown = content.data;
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload);
    } catch {
      return { invalid: 'content.data is not JSON' };
    }
  }
  if (typeof payload !== 'object' || payload === null) {
    return { invalid: 'content.data must be a JSON object' };
  }
  const { caption, streamId, isFinal } = payload as Record<string, unknown>;
  const text =
    typeof caption === 'object' && caption !== null ? (caption as { text?: unknown }).text : undefined;
  if (typeof text !== 'string') return { invalid: 'content.data.caption.text must be a string' };
  if (streamId !== undefined && streamId !== uriStreamId) {
    return {
      invalid: `content.data.streamId (${String(streamId)}) differs from the URI's stream (${uriStreamId})`,
    };
  }
  if (isFinal !== undefined && typeof isFinal !== 'boolean') {
    return { invalid: 'content.data.isFinal must be a boolean' };
  }
  return {
    event: { type: 'captionReceived', streamId: uriStreamId, caption: text, isFinal: isFinal === true },
  };
}
