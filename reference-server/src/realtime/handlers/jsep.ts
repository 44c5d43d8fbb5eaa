/**
 * `offer`, `answer`, `pranswer` and `candidate` on a stream URI (publisher ↔ media server) or a subscriber
 * URI: handed to the session's media bridge, which relays them (relayed) or negotiates with the SFU (routed).
 */
import { SignalingError } from '../errors.js';
import type { JsepMethod } from '../media/types.js';
import type { BoundRequestContext, HandlerResult } from './context.js';
import { requireStream } from './guards.js';

/** Routes one JSEP message to the media bridge. */
export async function handleJsep(context: BoundRequestContext): Promise<HandlerResult> {
  const { session, connection, uri, message } = context;
  const stream = requireStream(session, uri.params.stream, connection);
  let subscriber = null;
  if (uri.params.subscriber !== undefined) {
    subscriber = stream.subscribers.get(uri.params.subscriber) ?? null;
    if (!subscriber)
      throw new SignalingError('NOT_FOUND', `Subscriber ${uri.params.subscriber} was not found`);
  } else if (stream.connectionId !== connection.id) {
    throw new SignalingError('PERMISSION_DENIED', "Only a stream's publisher negotiates its media");
  }
  await session.media.jsep({
    method: message.method as JsepMethod,
    from: connection,
    stream,
    subscriber,
    content: message.content,
  });
  return {};
}
