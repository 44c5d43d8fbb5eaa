import { describe, expect, it } from 'vitest';
import {
  addressUri,
  header,
  headerParam,
  headerValues,
  parseSipMessage,
  SipParseError,
  SipStreamParser,
  serializeSipMessage,
} from './message.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

// RFC 3261 §24.2 (Alice's INVITE through atlanta.com), with a body.
const INVITE = crlf([
  'INVITE sip:bob@biloxi.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.com>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\r\nextra-bytes-of-the-next-datagram',
]);

describe('parseSipMessage', () => {
  it('parses a request, its headers and a body cut at Content-Length', () => {
    const message = parseSipMessage(INVITE);
    expect(message).toMatchObject({ kind: 'request', method: 'INVITE', uri: 'sip:bob@biloxi.com' });
    expect(header(message, 'Call-ID')).toBe('a84b4c76e66710');
    expect(header(message, 'i')).toBe('a84b4c76e66710');
    expect(headerParam(header(message, 'from') ?? '', 'tag')).toBe('1928301774');
    expect(addressUri(header(message, 'to') ?? '')).toBe('sip:bob@biloxi.com');
    expect(message.body.toString()).toBe('v=0\r');
  });

  it('unfolds continuation lines and maps compact names to long ones', () => {
    const message = parseSipMessage(
      crlf([
        'SIP/2.0 180 Ringing',
        'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1,',
        '  SIP/2.0/TCP proxy.example.com;branch=z9hG4bK2',
        'f: <sip:a@example.com>;tag=1',
        't: <sip:b@example.com>;tag=2',
        'i: call-1',
        'CSeq: 1 INVITE',
        'Subject: I know you are there,',
        '\tpick up the phone',
        'l: 0',
        '',
        '',
      ]),
    );
    expect(message).toMatchObject({ kind: 'response', status: 180, reason: 'Ringing' });
    expect(headerValues(message, 'via')).toEqual([
      'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1',
      'SIP/2.0/TCP proxy.example.com;branch=z9hG4bK2',
    ]);
    expect(header(message, 'subject')).toBe('I know you are there, pick up the phone');
    expect(header(message, 'to')).toBe('<sip:b@example.com>;tag=2');
  });

  it('splits list headers outside quotes and brackets, across repeated lines', () => {
    const message = parseSipMessage(
      crlf([
        'SIP/2.0 200 OK',
        'Record-Route: <sip:p1.example.com;lr>, "Proxy, Two" <sip:p2.example.com;lr>',
        'Record-Route: <sip:p3.example.com;lr>',
        '',
        '',
      ]),
    );
    expect(headerValues(message, 'record-route')).toEqual([
      '<sip:p1.example.com;lr>',
      '"Proxy, Two" <sip:p2.example.com;lr>',
      '<sip:p3.example.com;lr>',
    ]);
  });

  it('refuses what is not SIP, naming the problem', () => {
    expect(() => parseSipMessage(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(SipParseError);
    expect(() => parseSipMessage(crlf(['SIP/2.0 200 OK', 'Content-Length: 10', '', 'short']))).toThrow(
      /shorter/,
    );
    expect(() => parseSipMessage(crlf(['SIP/2.0 200 OK', 'no colon here', '', '']))).toThrow(/no name/);
  });
});

describe('serializeSipMessage', () => {
  it('writes canonical names and Content-Length from the body, and round-trips', () => {
    const bytes = serializeSipMessage({
      kind: 'request',
      method: 'BYE',
      uri: 'sip:bob@192.0.2.4',
      headers: [
        { name: 'call-id', value: 'a84b4c76e66710' },
        { name: 'cseq', value: '231 BYE' },
        { name: 'x-customer-id', value: '4242' },
        { name: 'x-tenantid', value: 't1', spelled: 'X-TenantID' },
        { name: 'content-length', value: '999' },
      ],
      body: Buffer.from('hi'),
    });
    expect(bytes.toString()).toBe(
      'BYE sip:bob@192.0.2.4 SIP/2.0\r\nCall-ID: a84b4c76e66710\r\nCSeq: 231 BYE\r\nX-Customer-Id: 4242\r\nX-TenantID: t1\r\nContent-Length: 2\r\n\r\nhi',
    );
    const parsed = parseSipMessage(bytes);
    expect(parsed).toMatchObject({ kind: 'request', method: 'BYE', body: Buffer.from('hi') });
  });

  it('refuses a header value with a line break (header injection)', () => {
    expect(() =>
      serializeSipMessage({
        kind: 'response',
        status: 200,
        reason: 'OK',
        headers: [{ name: 'x-a', value: 'b\r\nVia: evil' }],
        body: Buffer.alloc(0),
      }),
    ).toThrow(/line break/);
  });
});

describe('SipStreamParser', () => {
  it('frames messages split and joined arbitrarily on a stream, skipping keep-alives', () => {
    const parser = new SipStreamParser();
    const one = crlf(['SIP/2.0 100 Trying', 'CSeq: 1 INVITE', 'l: 0', '', '']);
    const two = crlf(['SIP/2.0 200 OK', 'CSeq: 1 INVITE', 'Content-Length: 3', '', 'abc']);
    const stream = Buffer.concat([Buffer.from('\r\n\r\n'), one, two]);
    const out = [];
    for (let i = 0; i < stream.length; i += 7) out.push(...parser.push(stream.subarray(i, i + 7)));
    expect(out.map((m) => (m.kind === 'response' ? m.status : 0))).toEqual([100, 200]);
    expect(out[1]?.body.toString()).toBe('abc');
  });
});
