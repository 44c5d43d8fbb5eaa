import { describe, expect, it } from 'vitest';
import {
  decodeRumorFrame,
  encodeRumorFrame,
  peekRumorHeader,
  RumorDecodeError,
  RumorEncodeError,
  RumorType,
} from './frame.js';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (text: string): Uint8Array =>
  Uint8Array.from(text.replace(/\s/g, '').match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));

describe('Rumor frame codec', () => {
  it('encodes PING exactly as the OpenTok.js client does', () => {
    expect(hex(encodeRumorFrame({ type: RumorType.Ping, to: [], headers: {}, body: '' }))).toBe(
      '00000005000007' + '0000',
    );
  });

  it('encodes SUBSCRIBE with one address exactly as the client does', () => {
    const frame = encodeRumorFrame({
      type: RumorType.Subscribe,
      to: ['/v2/partner/1/session/s'],
      headers: {},
      body: '',
    });
    expect(hex(frame)).toBe(`0000001e0000000100172f76322f706172746e65722f312f73657373696f6e2f7300`);
  });

  it('round-trips addresses, headers in order, and a UTF-8 body', () => {
    const frame = {
      type: RumorType.Message,
      to: ['/symphony.parley', 'c1'],
      headers: {
        'Content-Type': 'application/x-raptor+v2',
        'TRANSACTION-ID': 't-1',
        'X-TB-FROM-ADDRESS': 'c1',
      },
      body: JSON.stringify({ method: 'signal', content: { data: 'héllo ✓' } }),
    } as const;
    const decoded = decodeRumorFrame(
      encodeRumorFrame({ ...frame, to: [...frame.to], headers: { ...frame.headers } }),
    );
    expect(decoded).toEqual(frame);
    expect(Object.keys(decoded.headers)).toEqual(['Content-Type', 'TRANSACTION-ID', 'X-TB-FROM-ADDRESS']);
  });

  it('decodes ASCII, non-ASCII and long strings alike', () => {
    const frame = {
      type: RumorType.Message,
      to: ['plain-ascii', 'ünï', 'x'.repeat(600)],
      headers: { 'TRANSACTION-ID': 's1.0', café: '✓', long: `${'y'.repeat(700)}é` },
      body: `${'z'.repeat(300)}\u0000\u007f`,
    } as const;
    const decoded = decodeRumorFrame(
      encodeRumorFrame({ ...frame, to: [...frame.to], headers: { ...frame.headers } }),
    );
    expect(decoded).toEqual(frame);
  });

  it('decodes a frame that sits inside a larger buffer', () => {
    const encoded = encodeRumorFrame({ type: RumorType.Pong, to: [], headers: {}, body: '' });
    const big = new Uint8Array(encoded.length + 10);
    big.set(encoded, 5);
    expect(decodeRumorFrame(big.subarray(5, 5 + encoded.length)).type).toBe(RumorType.Pong);
  });

  const failures: [string, Uint8Array, string][] = [
    ['shorter than a header', fromHex('00000001 00'), 'too-short'],
    ['with a wrong length field', fromHex('00000009 0000 07 00 00'), 'length-mismatch'],
    ['of an unknown type', fromHex('00000005 0000 05 00 00'), 'unknown-type'],
    ['cut inside an address', fromHex('00000008 0000 00 01 0010 4142'), 'truncated'],
    ['cut before the header count', fromHex('00000007 0000 00 01 0001 41'), 'truncated'],
    ['cut inside a header value', fromHex('0000000b 0000 02 00 01 0001 41 0009 42'), 'truncated'],
    ['with invalid UTF-8 in the body', fromHex('00000006 0000 02 00 00 ff'), 'invalid-utf8'],
  ];
  it.each(failures)('rejects a frame %s', (_name, bytes, reason) => {
    expect(() => decodeRumorFrame(bytes)).toThrow(RumorDecodeError);
    try {
      decodeRumorFrame(bytes);
    } catch (error) {
      expect((error as RumorDecodeError).reason).toBe(reason);
    }
  });

  it('rejects frames above the size cap before reading them', () => {
    const frame = encodeRumorFrame({ type: RumorType.Message, to: [], headers: {}, body: 'x'.repeat(100) });
    expect(() => decodeRumorFrame(frame, 50)).toThrow(/exceeds the 50-byte limit/);
  });

  it('refuses to encode strings longer than 65535 bytes or more than 255 headers', () => {
    expect(() =>
      encodeRumorFrame({ type: RumorType.Message, to: ['a'.repeat(70_000)], headers: {}, body: '' }),
    ).toThrow(RumorEncodeError);
    const headers = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`h${i}`, 'v']));
    expect(() => encodeRumorFrame({ type: RumorType.Message, to: [], headers, body: '' })).toThrow(
      /255 headers/,
    );
  });

  it('peeks one header without decoding the frame, matching the name exactly', () => {
    const frame = encodeRumorFrame({
      type: RumorType.Status,
      to: ['symphony.ünïcode'],
      headers: { 'X-TB-FROM-ADDRESS': 'c1', 'TRANSACTION-ID': 's1.7', STATUS: '200' },
      body: '',
    });
    expect(peekRumorHeader(frame, 'TRANSACTION-ID')).toBe('s1.7');
    expect(peekRumorHeader(frame, 'STATUS')).toBe('200');
    expect(peekRumorHeader(frame, 'transaction-id')).toBeUndefined();
    expect(peekRumorHeader(frame, 'TRANSACTION')).toBeUndefined();
    expect(() => peekRumorHeader(frame, 'STATUS', 10)).toThrow(/exceeds the 10-byte limit/);
  });

  it.each(failures.filter(([, , reason]) => reason !== 'invalid-utf8'))(
    'peeking rejects a frame %s as decoding does',
    (_name, bytes, reason) => {
      expect(() => peekRumorHeader(bytes, 'TRANSACTION-ID')).toThrow(RumorDecodeError);
      try {
        peekRumorHeader(bytes, 'TRANSACTION-ID');
      } catch (error) {
        expect((error as RumorDecodeError).reason).toBe(reason);
      }
    },
  );
});
