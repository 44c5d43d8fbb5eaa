/**
 * The Rumor encoding of server messages, shared by every copy of a broadcast. The session hands the same
 * {@link OutboundMessage} object to every recipient's endpoint; the first endpoint serialises and encodes
 * it into a {@link RumorFrameTemplate}, which the others reuse, so a broadcast to n clients costs one JSON
 * serialisation and one text encoding plus n small copies. Only the address and the transaction ID differ
 * per copy. Messages are immutable once sent (see {@link OutboundMessage}), so the cached encoding stays
 * right; it lives as long as the message object does.
 */
import {
  RAPTOR_CONTENT_TYPE,
  type RaptorMessage,
  RumorFrameTemplate,
  RumorHeader,
  RumorType,
  serializeRaptorMessage,
} from '@parley/protocol';
import type { OutboundMessage } from '../session/types.js';

const templates = new WeakMap<OutboundMessage, { from: string; template: RumorFrameTemplate }>();

/**
 * The frame template of a server message: a Raptor `MESSAGE` with `Content-Type`, a `TRANSACTION-ID` to
 * fill in per copy and `X-TB-FROM-ADDRESS` (the message's `from`, else `serverAddress`).
 */
export function outboundTemplate(message: OutboundMessage, serverAddress: string): RumorFrameTemplate {
  const from = message.from ?? serverAddress;
  const cached = templates.get(message);
  if (cached?.from === from) return cached.template;
  const body: RaptorMessage = { method: message.method, uri: message.uri, content: message.content };
  if (message.reason !== undefined) body.reason = message.reason;
  const template = new RumorFrameTemplate(
    {
      type: RumorType.Message,
      headers: {
        [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
        [RumorHeader.TransactionId]: '',
        [RumorHeader.FromAddress]: from,
      },
      body: serializeRaptorMessage(body),
    },
    RumorHeader.TransactionId,
  );
  templates.set(message, { from, template });
  return template;
}
