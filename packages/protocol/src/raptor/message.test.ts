import { describe, expect, it } from 'vitest';
import { parseRaptorMessage, RaptorMessageError, serializeRaptorMessage } from './message.js';

describe('parseRaptorMessage', () => {
  it('parses a message and defaults a missing content to {}', () => {
    expect(parseRaptorMessage('{"method":"delete","uri":"/v2/partner/1/session/s/stream/x"}')).toEqual({
      method: 'delete',
      uri: '/v2/partner/1/session/s/stream/x',
      content: {},
    });
  });

  it('keeps a top-level reason', () => {
    const message = parseRaptorMessage(
      '{"method":"deleted","uri":"/v2/partner/1/session/s/connection/c","content":{},"reason":"forceDisconnected"}',
    );
    expect(message.reason).toBe('forceDisconnected');
  });

  it.each([
    ['not JSON', '{method', /not valid JSON/],
    ['an array', '[]', /JSON object/],
    ['no method', '{"uri":"/v2"}', /method/],
    ['an empty method', '{"method":"","uri":"/v2"}', /method/],
    ['no uri', '{"method":"create"}', /uri/],
    ['array content', '{"method":"create","uri":"/v2","content":[]}', /content/],
    ['numeric reason', '{"method":"create","uri":"/v2","reason":1}', /reason/],
  ])('rejects %s naming the problem', (_name, body, message) => {
    expect(() => parseRaptorMessage(body)).toThrow(RaptorMessageError);
    expect(() => parseRaptorMessage(body)).toThrow(message);
  });

  it('round-trips through serializeRaptorMessage', () => {
    const message = {
      method: 'signal',
      uri: '/v2/partner/1/session/s/signal/1',
      content: { type: 'a', data: 'b' },
    };
    expect(parseRaptorMessage(serializeRaptorMessage(message))).toEqual(message);
  });
});
