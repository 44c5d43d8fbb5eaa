import { describe, expect, it } from 'vitest';
import { parseSipUri, portOf, SipUriError, transportOf } from './uri.js';

describe('SIP URIs', () => {
  it('parses user, host, port and parameters', () => {
    const uri = parseSipUri('sip:+14155550101@sip.example.com:5080;transport=TCP;user=phone');
    expect(uri).toMatchObject({ scheme: 'sip', user: '+14155550101', host: 'sip.example.com', port: 5080 });
    expect(uri.params.get('user')).toBe('phone');
    expect(transportOf(uri)).toBe('tcp');
    expect(portOf(uri, 'tcp')).toBe(5080);
  });

  it('defaults to UDP on 5060, and TLS on 5061 for sips: and transport=tls', () => {
    const plain = parseSipUri('sip:alice@192.0.2.1');
    expect([transportOf(plain), portOf(plain, transportOf(plain))]).toEqual(['udp', 5060]);
    const sips = parseSipUri('SIPS:bob@example.com');
    expect([transportOf(sips), portOf(sips, transportOf(sips))]).toEqual(['tls', 5061]);
    expect(transportOf(parseSipUri('sip:b@example.com;transport=tls'))).toBe('tls');
    expect(parseSipUri('sip:[2001:db8::1]:5062')).toMatchObject({
      host: '2001:db8::1',
      port: 5062,
      user: '',
    });
  });

  it('refuses URIs a call cannot be placed to', () => {
    expect(() => parseSipUri('tel:+14155550101')).toThrow(SipUriError);
    expect(() => parseSipUri('sip:bob@host:99999')).toThrow(/port/);
    expect(() => transportOf(parseSipUri('sip:bob@host;transport=sctp'))).toThrow(/sctp/);
  });
});
