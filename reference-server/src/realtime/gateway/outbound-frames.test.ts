import {
  decodeRumorFrame,
  encodeRumorFrame,
  RAPTOR_CONTENT_TYPE,
  RumorHeader,
  RumorType,
  serializeRaptorMessage,
} from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../session/types.js';
import { outboundTemplate } from './outbound-frames.js';

/** How the gateway encoded every copy of a server message before templates (the reference). */
function encodedAsBefore(message: OutboundMessage, to: string, transactionId: string, server: string) {
  const body: Record<string, unknown> = {
    method: message.method,
    uri: message.uri,
    content: message.content,
  };
  if (message.reason !== undefined) body.reason = message.reason;
  return encodeRumorFrame({
    type: RumorType.Message,
    to: [to],
    headers: {
      [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
      [RumorHeader.TransactionId]: transactionId,
      [RumorHeader.FromAddress]: message.from ?? server,
    },
    body: serializeRaptorMessage(body as { method: string; uri: string; content: Record<string, unknown> }),
  });
}

const server = 'symphony.parley.example';
const messages: [string, OutboundMessage][] = [
  [
    'a connection created',
    {
      method: 'created',
      uri: '/v2/partner/47/session/2_MX40N34/connection/c1',
      content: {
        id: 'c1',
        data: 'name=Ünïcødé ✓',
        creationTime: 1_700_000_000_000,
        permissions: ['publish'],
      },
    },
  ],
  [
    'a deleted stream with a reason',
    { method: 'deleted', uri: '/v2/partner/47/session/s/stream/st', content: {}, reason: 'forceUnpublished' },
  ],
  [
    'a client signal',
    {
      method: 'signal',
      uri: '/v2/partner/47/session/s/signal/x',
      content: { type: 't', data: '😀' },
      from: 'c2',
    },
  ],
  ['a server signal', { method: 'signal', uri: '/v2/partner/47/session/s/signal/y', content: {}, from: '' }],
];

describe('outboundTemplate', () => {
  it.each(messages)('encodes %s byte for byte as the per-recipient path did', (_name, message) => {
    const template = outboundTemplate(message, server);
    for (const [to, transactionId] of [
      ['0636b8e5-4f1c-4c57-9b0e-8d2f3c1a7e55', 's1f3a9c0b.0'],
      ['other', 's1f3a9c0b.zz9'],
    ] as const) {
      const copy = template.encode([to], transactionId);
      expect(copy).toEqual(encodedAsBefore(message, to, transactionId, server));
      expect(decodeRumorFrame(copy).headers[RumorHeader.TransactionId]).toBe(transactionId);
    }
  });

  it('encodes a message once for all recipients, and again only for another server address', () => {
    const message: OutboundMessage = {
      method: 'signal',
      uri: '/v2/partner/1/session/s/signal/z',
      content: {},
    };
    const first = outboundTemplate(message, server);
    expect(outboundTemplate(message, server)).toBe(first);
    expect(outboundTemplate({ ...message }, server)).not.toBe(first);
    const elsewhere = outboundTemplate(message, 'symphony.other');
    expect(decodeRumorFrame(elsewhere.encode(['c'], 't')).headers[RumorHeader.FromAddress]).toBe(
      'symphony.other',
    );
  });
});
