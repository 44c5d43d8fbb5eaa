import { describe, expect, it } from 'vitest';
import { RAPTOR_CONTENT_TYPE, RumorHeader } from '../raptor/message.js';
import { decodeRumorFrame, encodeRumorFrame, RumorEncodeError, type RumorFrame, RumorType } from './frame.js';
import { RumorFrameTemplate } from './template.js';

const body = JSON.stringify({
  method: 'signal',
  uri: '/v2/partner/47/session/2_MX40N34/signal/8b73',
  content: { type: 'chat', data: 'héllo ✓ 😀' },
});

function serverMessage(from: string): Omit<RumorFrame, 'to'> {
  return {
    type: RumorType.Message,
    headers: {
      [RumorHeader.ContentType]: RAPTOR_CONTENT_TYPE,
      [RumorHeader.TransactionId]: '',
      [RumorHeader.FromAddress]: from,
    },
    body,
  };
}

describe('RumorFrameTemplate', () => {
  it('encodes each copy byte for byte as encodeRumorFrame does', () => {
    const frame = serverMessage('symphony.parley');
    const template = new RumorFrameTemplate(frame, RumorHeader.TransactionId);
    for (const [to, transactionId] of [
      [['c1'], 'p1.0'],
      [['0636b8e5-4f1c-4c57-9b0e-8d2f3c1a7e55'], 'p1.zz'],
      [['ünïcode-address', 'second'], '💡-transaction'],
      [[], ''],
    ] as const) {
      const expected = encodeRumorFrame({
        ...frame,
        to: [...to],
        headers: { ...frame.headers, [RumorHeader.TransactionId]: transactionId },
      });
      expect(template.encode(to, transactionId)).toEqual(expected);
    }
  });

  it('writes every byte of memory it is given, so unzeroed memory is safe', () => {
    const frame = serverMessage('symphony.parley');
    const template = new RumorFrameTemplate(frame, RumorHeader.TransactionId);
    const dirty = (size: number): Uint8Array => new Uint8Array(size).fill(0xee);
    expect(template.encode(['c1'], 't.1', dirty)).toEqual(template.encode(['c1'], 't.1'));
  });

  it('keeps the slot header where it was: first, middle or last', () => {
    const headers = { a: '1', b: '2', c: '3' };
    for (const slot of Object.keys(headers)) {
      const frame = { type: RumorType.Status, headers, body: '' };
      const copy = new RumorFrameTemplate(frame, slot).encode(['x'], 'filled');
      expect(copy).toEqual(
        encodeRumorFrame({ ...frame, to: ['x'], headers: { ...headers, [slot]: 'filled' } }),
      );
      expect(Object.keys(decodeRumorFrame(copy).headers)).toEqual(['a', 'b', 'c']);
    }
  });

  it('reports the bytes its copies share', () => {
    const template = new RumorFrameTemplate(serverMessage(''), RumorHeader.TransactionId);
    const copy = template.encode(['c'], 't');
    // 8 fixed bytes, the address (2 + 1) and the slot value (2 + 1) are per copy.
    expect(template.sharedBytes).toBe(copy.length - 8 - 3 - 3);
  });

  it('refuses a slot header the frame does not have, and strings the codec cannot carry', () => {
    expect(() => new RumorFrameTemplate(serverMessage('s'), 'STATUS')).toThrow(/no STATUS header/);
    const template = new RumorFrameTemplate(serverMessage('s'), RumorHeader.TransactionId);
    expect(() => template.encode(['a'.repeat(70_000)], 't')).toThrow(RumorEncodeError);
    expect(() => template.encode(['a'], 'é'.repeat(40_000))).toThrow(/header value is at most 65535 bytes/);
    expect(() =>
      template.encode(
        Array.from({ length: 256 }, () => 'a'),
        't',
      ),
    ).toThrow(/255 addresses/);
    expect(
      () =>
        new RumorFrameTemplate(
          { type: RumorType.Message, headers: { k: 'v'.repeat(70_000) }, body: '' },
          'k',
        ),
    ).not.toThrow();
    expect(
      () =>
        new RumorFrameTemplate(
          { type: RumorType.Message, headers: { k: '', long: 'v'.repeat(70_000) }, body: '' },
          'k',
        ),
    ).toThrow(/header value is at most 65535 bytes/);
  });
});
